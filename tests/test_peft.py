"""``assignments/03-peft``: the lesson's effects hold for the reference, and the tests prove themselves.

One release into a temporary folder (it runs the solution once and records the reference),
then: the reference snapshot shows what the lab teaches (LoRA keeps >= 80 % of full
fine-tuning's ROUGE-L gain with <= 5 % of the parameters trainable, its adapter is >= 10x
smaller on disk, and it forgets the topic task less than full fine-tuning), and ``validate``
with the local backend passes every check (full marks, zero, every mutant caught, three
identical reruns). Needs tiny-flan (``course models build``); several minutes on two cores.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.backends import LocalBackend
from autograder.reference import ReplayReference
from autograder.release import release
from autograder.validate import table, validate

REPO = Path(__file__).resolve().parent.parent
PEFT_ID = "03-peft"
PEFT_DIR = REPO / "assignments" / PEFT_ID
QUESTIONS = {"q1", "q2", "q3", "q4", "q5"}       # the autograded ones (q6 is manual)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("peft")]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="module")
def released(tmp_path_factory, one_torch_thread):
    from course_lib.models import zoo

    if not (zoo.path("tiny-flan") / zoo.CARD).exists():
        pytest.skip("tiny-flan is not built: run `course models build`")
    # one_torch_thread: the release's and validate's tests evaluate models in this process
    return release(PEFT_DIR, tmp_path_factory.mktemp("dist")).folder


def test_reference_shows_the_lessons(released):
    ref = ReplayReference.load(released / "autograder")
    base = ref.snapshot("q5: zero-shot scores")
    full = ref.snapshot("q5: full fine-tuning scores")
    lora = ref.snapshot("q3: LoRA adapter scores")
    prompt = ref.snapshot("q4: prompt adapter scores")
    lora_pct = ref.snapshot("q3: LoRA trainable percent")
    adapter_mb, weights_mb = ref.snapshot("q3: adapter MB, tiny-flan weights MB")
    rows = ref.snapshot("q5: comparison table")
    summary = f"base {base}, full {full}, LoRA {lora} ({lora_pct:.2f} %), prompt {prompt}, table {rows}"

    full_gain, lora_gain = full["rouge_l"] - base["rouge_l"], lora["rouge_l"] - base["rouge_l"]
    assert full_gain >= 0.2, summary                              # fine-tuning teaches the task
    assert lora_gain >= 0.8 * full_gain, summary                  # LoRA keeps >= 80 % of the gain ...
    assert lora_pct <= 5, summary                                 # ... training <= 5 % of the parameters
    assert adapter_mb * 10 <= weights_mb, summary                 # the adapter is >= 10x smaller on disk
    assert rows["lora"]["checkpoint_mb"] * 10 <= rows["full_ft"]["checkpoint_mb"], summary
    # forgetting: full fine-tuning erodes the topic task, LoRA keeps it (with a margin)
    assert full["topic_accuracy"] <= base["topic_accuracy"] - 0.1, summary
    assert lora["topic_accuracy"] >= full["topic_accuracy"] + 0.1, summary
    # the table reports the adapters the tests loaded
    assert rows["lora"]["rouge_l"] == lora["rouge_l"] and rows["full_ft"]["rouge_l"] == full["rouge_l"], summary
    assert rows["full_ft"]["trainable_pct"] == 100.0 and rows["prompt_tuning"]["trainable_pct"] < lora_pct, summary
    # prompt tuning: reported as measured; it must at least learn the task
    assert prompt["rouge_l"] >= base["rouge_l"] + 0.2, summary


def test_peft_validates(released):
    # one mutant per question (each mutant run retrains): `course validate ID` runs them all
    checks = validate(PEFT_DIR, released, LocalBackend(), workers=2, log=lambda *_: None, quick=True)
    report = table(checks)
    assert all(c.ok for c in checks), report
    kinds = [c.kind for c in checks]
    assert kinds.count("solution") == 1 and kinds.count("template") == 1 and kinds.count("rerun") == 1, report
    mutants = {c.name: c.lost for c in checks if c.kind == "mutant"}
    assert len(list((PEFT_DIR / "mutants").glob("*.py"))) >= 6, "the lab needs at least 6 mutants"
    # every autograded question is the target of at least one mutant
    assert {q for lost in mutants.values() for q in lost} == QUESTIONS, report
    solution = next(c for c in checks if c.kind == "solution")
    assert solution.score == 20, report
