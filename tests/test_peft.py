"""``assignments/03-peft``: the lesson's effects hold for the reference, and the tests prove themselves.

One release into a temporary folder (it runs the solution once and records the reference),
then: the reference snapshot shows what the lab teaches (LoRA keeps >= 80 % of full
fine-tuning's ROUGE-L gain with <= 5 % of the parameters trainable, its adapter is >= 10x
smaller on disk, and it forgets the topic task less than full fine-tuning), and ``validate``
with the local backend passes every check (full marks, zero, one mutant per question caught (`tests/lab_checks.py`), three
identical reruns). Needs tiny-flan (``course models build``); several minutes on two cores.
"""

from __future__ import annotations

import pytest

from autograder.grading.reference_replay import ReplayReference
from tests.lab_checks import assert_lab_validates, release_lab

PEFT_ID = "03-peft"
QUESTIONS = {"q1", "q2", "q3", "q4", "q5"}       # the autograded ones (q6 is graded by staff)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("peft")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(PEFT_ID, tmp_path_factory, models=("tiny-flan",))


def test_reference_shows_the_lessons(released):
    ref = ReplayReference.load(released / "autograder")
    base = ref.snapshot("q5: zero-shot scores")
    full = ref.snapshot("q5: full fine-tuning scores")
    lora = ref.snapshot("q3: LoRA adapter scores")
    prompt = ref.snapshot("q4: prompt adapter scores")
    lora_pct = ref.snapshot("q3: LoRA trainable percent")
    adapter_mb, weights_mb = ref.snapshot("q3: adapter MB, tiny-flan weights MB")
    summary = f"base {base}, full {full}, LoRA {lora} ({lora_pct:.2f} %), prompt {prompt}"

    full_gain, lora_gain = full["rouge_l"] - base["rouge_l"], lora["rouge_l"] - base["rouge_l"]
    assert full_gain >= 0.2, summary                              # fine-tuning teaches the task
    assert lora_gain >= 0.8 * full_gain, summary                  # LoRA keeps >= 80 % of the gain ...
    assert lora_pct <= 5, summary                                 # ... training <= 5 % of the parameters
    assert adapter_mb * 10 <= weights_mb, summary                 # the adapter is >= 10x smaller on disk
    # forgetting: full fine-tuning erodes the topic task, LoRA keeps it (with a margin)
    assert full["topic_accuracy"] <= base["topic_accuracy"] - 0.1, summary
    assert lora["topic_accuracy"] >= full["topic_accuracy"] + 0.1, summary
    # prompt tuning: reported as measured; it must at least learn the task (+0.32 ROUGE-L on the
    # recorded zoo, +0.155 on the zoo an Intel Xeon builds: the bar holds on both with a margin)
    assert prompt["rouge_l"] >= base["rouge_l"] + 0.1, summary


def test_peft_validates(released):
    # the feedback page: LoRA ROUGE-L and topic accuracy, prompt tuning ROUGE-L, against the reference
    assert_lab_validates(PEFT_ID, released, QUESTIONS, full_marks=20, shows={"metrics": 3})
