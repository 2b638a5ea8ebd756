"""``assignments/00-warmup``: the assignment proves its own grading, and validation catches a weak test.

Both tests release into ``tmp_path`` and validate with the local backend (staff code only), so
they need the tiny-gpt model (``course models build``); a run takes a few minutes on two cores.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.isolation.local import LocalBackend
from autograder.release.pipeline import release
from autograder.release.validate import table, validate

REPO = Path(__file__).resolve().parent.parent
WARMUP_ID = "00-warmup"
WARMUP_DIR = REPO / "assignments" / WARMUP_ID

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("warmup")]


@pytest.fixture(autouse=True)
def _offline_single_thread(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="module", autouse=True)
def _needs_tiny_gpt():
    from course_lib.models import zoo

    if not (zoo.path("tiny-gpt") / zoo.CARD).exists():
        pytest.skip("tiny-gpt is not built: run `course models build`")


def _validate(assignment_dir: Path, out: Path):
    result = release(assignment_dir, out)
    return validate(assignment_dir, result.folder, LocalBackend(), workers=2, log=lambda *_: None)


def test_warmup_validates(tmp_path):
    checks = _validate(WARMUP_DIR, tmp_path / "dist")
    report = table(checks)
    assert all(c.ok for c in checks), report
    kinds = [c.kind for c in checks]
    assert kinds.count("solution") == 1 and kinds.count("template") == 1 and kinds.count("rerun") == 1
    mutants = {c.name: c.lost for c in checks if c.kind == "mutant"}
    assert len(mutants) >= 5, report
    # every autograded question is the target of at least one mutant
    assert {q for lost in mutants.values() for q in lost} == {"q1", "q2", "q3", "q4", "q5"}, report
    solution = next(c for c in checks if c.kind == "solution")
    assert solution.score == 20


def test_weak_hidden_test_fails_validation(tmp_path):
    """A q3 hidden test that the untouched student notebook passes must make validation fail, naming q3."""
    folder = tmp_path / "assignments" / WARMUP_ID
    shutil.copytree(WARMUP_DIR, folder, ignore=shutil.ignore_patterns("mutants"))
    master = folder / f"{WARMUP_ID}.ipynb"
    nb = json.loads(master.read_text())
    target = [c for c in nb["cells"] if c["cell_type"] == "code" and "ties = torch.tensor" in "".join(c["source"])]
    assert len(target) == 1, "the q3 property test moved: update this test"
    source = "".join(target[0]["source"])
    header = source[: source.index("# END TEST CONFIG") + len("# END TEST CONFIG")]
    # still a real check (a function with that name exists), but the template's stub passes it
    target[0]["source"] = header + '\nassert callable(top_k_filter), "top_k_filter must be a function"\n'
    master.write_text(json.dumps(nb, indent=1, ensure_ascii=False))

    checks = _validate(folder, tmp_path / "dist")
    report = table(checks)
    failed = [c for c in checks if not c.ok]
    assert [c.kind for c in failed] == ["template"], report
    assert failed[0].lost == ["q3"], report
    assert "q3" in failed[0].detail and "passes without a solution" in failed[0].detail, report
    assert next(c for c in checks if c.kind == "solution").ok, report
