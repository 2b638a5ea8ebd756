"""``assignments/06-pretraining``: the lab's reference effects, and validation proves its tests.

Releases the lab once (the solution runs: twelve IsoFLOP runs and one continued pre-training, and
the reference is recorded), reads the figures its hidden tests recorded with ``ref.snapshot``, then
validates with the local backend: solution full marks, template zero, one mutant per question caught
(``tests/lab_checks.py``), three identical reruns. Needs tiny-gpt.

The bars are the issue's lessons, with the margins measured on three seeds (README, "The labs"):
BPE learnt on dialogues compresses them at least twice as well as characters and the knowledge base
less well; the best model size grows with every budget (by at least 1.3x a step; 1.6x was the
smallest step on seeds 0-2) and the best loss falls; continued pre-training cuts the knowledge
base's perplexity by at least 30 % and raises the support desk's.
"""

from __future__ import annotations

import math

import pytest

from autograder.grading.reference_replay import ReplayReference
from course_lib import pretraining
from tests.lab_checks import assert_lab_validates, release_lab

LAB_ID = "06-pretraining"
AUTOGRADED = {"q1", "q2", "q3", "q4", "q5"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pretraining")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(LAB_ID, tmp_path_factory, models=("tiny-gpt",))


def test_reference_effects(released):
    ref = ReplayReference.load(released / "autograder")
    # q1: BPE halves the tokens of characters or better on dialogues, and compresses the knowledge
    # base, whose names it never saw, less well
    bpe = ref.snapshot("q1: BPE tokens per word, dialogues")
    assert bpe <= ref.snapshot("q1: characters per word, dialogues") / 2
    assert ref.snapshot("q1: BPE tokens per word, knowledge base") >= bpe + 0.5
    # q3: the IsoFLOP optimum grows with every budget, the best loss falls, the exponent is positive
    optima = ref.snapshot("q3: log N_opt per budget")
    assert len(optima) == len(pretraining.GRID) == 3
    assert all(b - a >= math.log(1.3) for a, b in zip(optima, optima[1:])), [round(math.exp(x)) for x in optima]
    best = ref.snapshot("q3: best loss per budget")
    assert all(b < a for a, b in zip(best, best[1:])), best
    assert 0.2 <= ref.snapshot("q3: fitted exponent") <= 1.0
    # q5: the new domain's perplexity falls by at least 30 %, the old domain's rises
    before, after = ref.snapshot("q5: tiny-gpt perplexity"), ref.snapshot("q5: gpt_kb perplexity")
    assert after["kb"] <= 0.7 * before["kb"], (before, after)
    assert after["desk"] >= 1.3 * before["desk"], (before, after)


def test_pretraining_validates(released):
    # the feedback page: q1's two compression figures and one tokenised sentence, q3's six IsoFLOP
    # curves (yours and the reference's per budget) and the exponent, q5's two perplexities
    assert_lab_validates(LAB_ID, released, AUTOGRADED, full_marks=22, shows={"metrics": 5, "samples": 1, "curves": 6})
