"""``assignments/02-fine-tuning``: the lesson's effects hold in the reference, and the tests prove themselves.

One release (which runs the solution once and records the reference) into a module-scoped
folder; the reference effects are read from what that release recorded, then ``validate`` runs
the solution three times, the student template and every mutant through the local backend.
Needs tiny-flan (``course models build``); the data sets are written to the cache if missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.backends import LocalBackend
from autograder.reference import ReplayReference
from autograder.release import release
from autograder.validate import table, validate

REPO = Path(__file__).resolve().parent.parent
FT_ID = "02-fine-tuning"
FT_DIR = REPO / "assignments" / FT_ID
AUTOGRADED = {"q1", "q2", "q3", "q4", "q5", "q6"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("finetuning")]


@pytest.fixture(autouse=True)
def _offline_single_thread(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    from course_lib import data
    from course_lib.models import zoo

    if not (zoo.path("tiny-flan") / zoo.CARD).exists():
        pytest.skip("tiny-flan is not built: run `course models build`")
    for name in ("dialogsum", "dialog_topics"):     # the sandbox mounts the data cache read-only
        data.materialize(name)
    return release(FT_DIR, tmp_path_factory.mktemp("ft") / "dist").folder


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
    # one mutant per question (each mutant run retrains): `course validate ID` runs them all
    checks = validate(FT_DIR, released, LocalBackend(), workers=2, log=lambda *_: None, quick=True)
    report = table(checks)
    print(report)
    assert all(c.ok for c in checks), report
    kinds = [c.kind for c in checks]
    assert kinds.count("solution") == 1 and kinds.count("template") == 1 and kinds.count("rerun") == 1
    mutants = {c.name: c.lost for c in checks if c.kind == "mutant"}
    assert len(list((FT_DIR / "mutants").glob("*.py"))) >= 6, "the lab needs at least 6 mutants"
    # every autograded question is the target of at least one mutant
    assert {q for lost in mutants.values() for q in lost} == AUTOGRADED, report
    solution = next(c for c in checks if c.kind == "solution")
    assert solution.score == 30, report
