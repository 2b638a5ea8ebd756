"""``assignments/02-fine-tuning``: the lesson's effects hold in the reference, and the tests prove themselves.

One release (which runs the solution once and records the reference) into a module-scoped
folder; the reference effects are read from what that release recorded, then ``validate`` runs
the solution three times, the student template and one mutant per question (`tests/lab_checks.py`).
Needs tiny-flan (``course models build``); the data sets are written to the cache if missing.
"""

from __future__ import annotations

import pytest

from autograder.grading.reference_replay import ReplayReference
from tests.lab_checks import assert_lab_validates, release_lab

FT_ID = "02-fine-tuning"
AUTOGRADED = {"q1", "q2", "q3", "q4", "q5", "q6"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("finetuning")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(FT_ID, tmp_path_factory, models=("tiny-flan",))


def test_reference_shows_the_lessons_effects(released):
    ref = ReplayReference.load(released / "autograder")
    base_rouge = ref.snapshot("q2: base model ROUGE-L")
    ft_rouge = ref.snapshot("q2: fine-tuned ROUGE-L")
    base_topic = ref.snapshot("q5: base topic accuracy")
    single_topic = ref.snapshot("q5: summaries-only topic accuracy")
    multi = ref.snapshot("q5: multi-task scores")
    effects = (f"ROUGE-L base {base_rouge:.3f} -> fine-tuned {ft_rouge:.3f} / multi-task {multi['rougeL']:.3f}; "
               f"topic accuracy base {base_topic:.3f} -> summaries only {single_topic:.3f} "
               f"-> multi-task {multi['topic_accuracy']:.3f}")
    print(effects)
    assert ft_rouge >= base_rouge + 0.10, effects                    # fine-tuning pays
    assert single_topic <= base_topic - 0.20, effects                # and makes the model forget the topic task
    assert multi["topic_accuracy"] >= single_topic + 0.20, effects   # which the multi-task mix recovers, partly
    assert multi["rougeL"] >= base_rouge + 0.10, effects             # while still learning to summarise
    curve = ref.snapshot("q2: loss_curve")
    assert len(curve) == 8 and all(0 < x < 2 for x in curve), curve


def test_finetuning_validates(released):
    # the feedback page: the reference loss curve, 3 summaries next to the reference's, ROUGE-L and topic accuracy bars
    assert_lab_validates(FT_ID, released, AUTOGRADED, full_marks=30, shows={"curves": 1, "samples": 3, "metrics": 3})
