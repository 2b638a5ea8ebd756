"""What every lab's test does: release once, then prove the tests with ``validate --quick``.

Shared by ``tests/test_<lab>.py``. Releasing runs the solution once through the grading engine
and records the reference; validating grades the solution three times, the untouched student
notebook and one mutant per question (each mutant run retrains the lab's models, so CI leaves
the rest to ``course validate ID``), with the local backend.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.isolation.local import LocalBackend
from autograder.release.pipeline import release
from autograder.release.validate import table, validate

REPO = Path(__file__).resolve().parent.parent
MIN_MUTANTS = 6


def release_lab(lab_id: str, tmp_path_factory, models: tuple[str, ...]) -> Path:
    """``dist/<lab_id>`` released into a temporary folder; skips when the zoo lacks a model."""
    from course_lib.models import zoo

    for name in models:
        if not (zoo.path(name) / zoo.CARD).exists():
            pytest.skip(f"{name} is not built: run `course models build`")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("OMP_NUM_THREADS", "1")
        return release(REPO / "assignments" / lab_id, tmp_path_factory.mktemp(lab_id) / "dist").folder


def assert_lab_validates(lab_id: str, released: Path, autograded: set[str], full_marks: float,
                         shows: dict[str, int] | None = None) -> None:
    """``shows``: how many samples / metrics / curves the solution's feedback page must carry."""
    lab = REPO / "assignments" / lab_id
    assert len(list((lab / "mutants").glob("*.py"))) >= MIN_MUTANTS, f"{lab_id} needs at least {MIN_MUTANTS} mutants"
    checks = validate(lab, released, LocalBackend(), workers=2, log=lambda *_: None, quick=True)
    report = table(checks)
    print(report)
    assert all(c.ok for c in checks), report
    kinds = [c.kind for c in checks]
    assert kinds.count("solution") == 1 and kinds.count("template") == 1 and kinds.count("rerun") == 1, report
    # points only for the work: the forged-results and untrained-artefacts probes ran, and passed above
    assert [c.name for c in checks if c.kind == "probe"] == ["forged results", "untrained artefacts"], report
    # every autograded question is the target of at least one mutant
    assert {q for c in checks if c.kind == "mutant" for q in c.lost} == autograded, report
    solution = next(c for c in checks if c.kind == "solution")
    assert solution.score == full_marks, report
    artifacts = solution.result.get("artifacts") or {}
    for kind, n in (shows or {}).items():
        assert len(artifacts.get(kind) or ()) == n, (kind, artifacts.get(kind))
    if "samples" in (shows or {}):   # side by side: the student's output and the reference's
        assert all(s["student"] and s["reference"] for s in artifacts["samples"]), artifacts["samples"]
    if "metrics" in (shows or {}):
        assert all(m["student"] is not None for m in artifacts["metrics"]), artifacts["metrics"]
