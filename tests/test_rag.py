"""``assignments/05-rag``: the lab's reference effects, and validation proves its tests.

The module releases the lab once (which runs the solution and records the reference), reads
the figures the hidden tests recorded with ``ref.snapshot`` from the release's reference
snapshot, then validates with the local backend (staff code only): solution full marks,
template zero, every mutant caught, three identical reruns. Needs tiny-encoder and tiny-flan
(``course models build``); a run takes a few minutes on two cores.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.backends import LocalBackend
from autograder.reference import ReplayReference
from autograder.release import release
from autograder.validate import table, validate

REPO = Path(__file__).resolve().parent.parent
RAG_ID = "05-rag"
RAG_DIR = REPO / "assignments" / RAG_ID
AUTOGRADED = {"q1", "q2", "q3", "q4", "q5"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rag")]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    from course_lib.models import zoo

    for name in ("tiny-encoder", "tiny-flan"):
        if not (zoo.path(name) / zoo.CARD).exists():
            pytest.skip(f"{name} is not built: run `course models build`")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("OMP_NUM_THREADS", "1")
        yield release(RAG_DIR, tmp_path_factory.mktemp("rag") / "dist")


def test_reference_effects(released):
    """What the lesson rests on, as the release measured it on the reference solution."""
    ref = ReplayReference.load(released.folder / "autograder")
    saved_r5 = ref.snapshot("q2: held-out recall@5 of the saved index")
    assert saved_r5 >= 0.6, saved_r5                     # the bar for retrieval
    assert ref.snapshot("q2: retrieve_passages recall@5 on validation[40:80]") >= 0.6
    dense1 = ref.snapshot("q5: dense recall@1 (test)")
    hybrid1 = ref.snapshot("q5: hybrid recall@1 (test)")
    assert ref.snapshot("q5: dense recall@5 (test)") >= 0.9
    assert hybrid1 >= dense1 + 0.03, (dense1, hybrid1)     # the BM25 hybrid fixes some dense misses
    rag = ref.snapshot("q4: RAG token F1 on SLICE")
    closed = ref.snapshot("q4: closed-book token F1 on SLICE")
    # Retrieval puts the answer in the context, and RAG answers beat closed-book ones; the issue's
    # margin of +0.2 F1 is NOT reached: tiny-flan rarely copies the answer even from the gold
    # passages (see the lab's q4 and the report of issue 10). Asserted is what the zoo gives.
    assert closed <= 0.05, closed
    assert rag > closed + 0.03, (rag, closed)


def test_rag_validates(released):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("OMP_NUM_THREADS", "1")
        checks = validate(RAG_DIR, released.folder, LocalBackend(), workers=2, log=lambda *_: None)
    report = table(checks)
    assert all(c.ok for c in checks), report
    kinds = [c.kind for c in checks]
    assert kinds.count("solution") == 1 and kinds.count("template") == 1 and kinds.count("rerun") == 1, report
    mutants = {c.name: c.lost for c in checks if c.kind == "mutant"}
    assert len(mutants) >= 6, report
    # every autograded question is the target of at least one mutant
    assert {q for lost in mutants.values() for q in lost} == AUTOGRADED, report
    solution = next(c for c in checks if c.kind == "solution")
    assert solution.score == 22, report
