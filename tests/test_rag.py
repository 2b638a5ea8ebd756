"""``assignments/05-rag``: the lab's reference effects, and validation proves its tests.

The module releases the lab once (which runs the solution and records the reference), reads
the figures the hidden tests recorded with ``ref.snapshot`` from the release's reference
snapshot, then validates with the local backend (staff code only): solution full marks,
template zero, one mutant per question caught (``tests/lab_checks.py``), three identical
reruns. Needs tiny-encoder and tiny-flan (``course models build``); a few minutes on two cores.
"""

from __future__ import annotations

import pytest

from autograder.grading.reference_replay import ReplayReference
from tests.lab_checks import assert_lab_validates, release_lab

RAG_ID = "05-rag"
AUTOGRADED = {"q1", "q2", "q3", "q4", "q5"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rag")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(RAG_ID, tmp_path_factory, models=("tiny-encoder", "tiny-flan"))


def test_reference_effects(released):
    """What the lesson rests on, as the release measured it on the reference solution."""
    ref = ReplayReference.load(released / "autograder")
    saved_r5 = ref.snapshot("q2: held-out recall@5 of the saved index")
    assert saved_r5 >= 0.6, saved_r5                     # the bar for retrieval
    assert ref.snapshot("q2: retrieve_passages recall@5 on validation[40:80]") >= 0.6
    # q5 recomputes both rankings from the functions on the 143 held-out validation questions
    dense1 = ref.snapshot("q5: dense recall@1 (validation)")
    hybrid1 = ref.snapshot("q5: hybrid recall@1 (validation)")
    assert ref.snapshot("q5: dense recall@5 (validation)") >= 0.9
    assert hybrid1 >= dense1 + 0.045, (dense1, hybrid1)    # the BM25 hybrid fixes some dense misses (+0.056)
    rag = ref.snapshot("q4: grounded token F1, validation[80:110], reference retrieval")
    closed = ref.snapshot("q4: closed-book token F1, validation[80:110]")
    # the bar: answers grounded in the retrieved chunks (tiny-flan scoring the spans of
    # its context) beat closed-book ones by 0.2 token F1, here on 30 held-out questions
    assert rag >= closed + 0.2, (rag, closed)


def test_rag_validates(released):
    # the feedback page: recall and answer-F1 bars, three questions with closed-book and RAG answers
    assert_lab_validates(RAG_ID, released, AUTOGRADED, full_marks=24, shows={"metrics": 5, "samples": 3})
