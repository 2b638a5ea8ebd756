"""``assignments/08-efficient-inference``: the lab's reference effects, and validation proves its tests.

Releases the lab once (the solution runs, two small students are trained and the reference is
recorded), reads the figures its hidden tests recorded with ``ref.snapshot``, then validates with
the local backend: solution full marks, template zero, one mutant per question caught
(``tests/lab_checks.py``), three identical reruns. Needs tiny-gpt and tiny-flan.

The bars are the lessons, with margins measured on two builds of the zoo (README, "The labs"):
int8 is nearly free, groups contain int4's damage, int3 per tensor collapses; light pruning is
nearly free and heavy pruning destroys the summaries; length-sorted batches waste less padding; a
student trained on the teacher's outputs imitates the teacher far better than one trained on the
references, and keeps four fifths of its ROUGE-L or more.
"""

from __future__ import annotations

import pytest

from autograder.grading.reference_replay import ReplayReference
from tests.lab_checks import assert_lab_validates, release_lab

LAB_ID = "08-efficient-inference"
AUTOGRADED = {"q1", "q2", "q3", "q4", "q5"}
SLICE = "(validation[:40])"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("efficient_inference")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(LAB_ID, tmp_path_factory, models=("tiny-gpt", "tiny-flan"))


def test_reference_effects(released):
    ref = ReplayReference.load(released / "autograder")

    def figure(key):
        return ref.snapshot(f"{key} {SLICE}")

    # q2: int8 per channel keeps the summaries; groups contain an outlier's damage to the weights
    # (per tensor's error is 3.27-3.48 times per group's at int4 and int3 on the eight builds
    # benchmarks/quantization_error.py measured), and at int3 to the summaries; int3 per tensor
    # collapses. int4's fidelity gap is not asserted: +0.04 to +0.16 over those builds, it depends
    # on the model
    fp32 = figure("q2: float32 ROUGE-L")
    assert figure("q2: int8 channel fidelity") >= 0.9
    assert abs(figure("q2: int8 channel ROUGE-L") - fp32) <= 0.02
    for bits in (4, 3):
        per_tensor, per_group = (ref.snapshot(f"q2: int{bits} {g} relative error (block linears)") for g in ("tensor", "group"))
        assert per_tensor >= 2.5 * per_group, (bits, per_tensor, per_group)
    assert figure("q2: int3 group fidelity") >= figure("q2: int3 tensor fidelity") + 0.15
    assert figure("q2: int3 tensor ROUGE-L") <= fp32 - 0.15
    assert figure("q2: torch dynamic int8 fidelity") >= 0.85
    # q3: length-sorted batches waste less padding than batches in the order given
    assert ref.snapshot("q3: padding waste, batches of 8 sorted (validation[100:124])") <= \
        ref.snapshot("q3: padding waste, batches of 8 as given (validation[100:124])") - 0.05
    # q4: light pruning is nearly free, heavy pruning destroys the summaries
    assert figure("q4: ROUGE-L at sparsity 0.1") >= fp32 - 0.05
    assert figure("q4: ROUGE-L at sparsity 0.9") <= 0.1
    assert figure("q4: ROUGE-L at sparsity 0.7") <= figure("q4: ROUGE-L at sparsity 0.1") - 0.2
    # q5: the distilled student imitates the teacher; the one trained on references does not as much
    distilled = figure("q5: distilled student fidelity to the teacher")
    on_references = figure("q5: student trained on references")
    assert distilled >= on_references["fidelity"] + 0.15, (distilled, on_references)
    assert figure("q5: distilled student ROUGE-L") >= 0.8 * figure("q5: teacher ROUGE-L")


def test_efficient_inference_validates(released):
    # the feedback page: q1's two token-count curves, q2's five fidelities, q3's two padding
    # wastes and one summary, q4's two ROUGE-L curves (yours and the reference's), q5's two
    # figures and one summary next to the teacher's
    assert_lab_validates(LAB_ID, released, AUTOGRADED, full_marks=25, shows={"metrics": 9, "samples": 2, "curves": 4})
