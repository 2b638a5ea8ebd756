"""``course release --format nbgrader``: the source notebook, and nbgrader grading it for real."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.authoring.master import load_assignment
from autograder.release.targets.nbgrader import nbgrader_solution_source, source_notebook
from autograder.release.pipeline import release
from toy_notebooks import TOY_DIR, TOY_ID, copy_toy, load_cells, save_cells, src


def _nbgrader_cells(nb) -> dict[str, dict]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def test_source_notebook_structure(tmp_path):
    nb = source_notebook(load_assignment(TOY_DIR))
    from nbgrader.nbgraderformat import MetadataValidator

    MetadataValidator().validate_nb(nb)
    cells = _nbgrader_cells(nb)
    q1 = cells["q1-tests"]          # the public tests: one cell; each hidden test: its own, with its points
    assert q1.metadata["nbgrader"] == {"grade": True, "grade_id": "q1-tests", "locked": True, "points": 1,
                                       "schema_version": 3, "solution": False, "task": False}
    assert "assert mean_abs([1, -1]) == 1.0" in q1.source and "HIDDEN" not in q1.source
    hidden = cells["q1-hidden-1"]
    assert hidden.metadata["nbgrader"]["points"] == 1 and "quokka" in hidden.source
    assert hidden.source.startswith("### BEGIN HIDDEN TESTS") and hidden.source.endswith("### END HIDDEN TESTS")
    assert hidden.metadata["course"]["failure_message"] == "mean_abs is wrong when signs are mixed (zebra-7)"
    q2 = [c for gid, c in cells.items() if gid.startswith("q2-") and c.metadata["nbgrader"]["grade"]]
    assert sum(c.metadata["nbgrader"]["points"] for c in q2) == 3
    assert cells["q3-answer"].metadata["nbgrader"]["grade"] and cells["q3-answer"].metadata["nbgrader"]["solution"]
    assert cells["q3-answer"].cell_type == "markdown" and "platypus" in cells["q3-answer"].source
    solution = cells["q1-solution-7"]
    assert solution.metadata["nbgrader"]["solution"] and "### BEGIN SOLUTION" in solution.source
    assert all(c.metadata["nbgrader"]["locked"] for c in nb.cells
               if c.cell_type == "markdown" and "nbgrader" in c.metadata and not c.metadata["nbgrader"]["solution"])
    assert "ReplayReference" not in "\n".join(c.source for c in nb.cells)  # the toy never uses ref


def test_solution_markers_become_nbgrader_regions():
    source = ("def f(x):\n    y = x + 1  # SOLUTION\n    for i in range(3):  # SOLUTION\n"
              "        y += i  # SOLUTION\n    return y  # SOLUTION\n\n# BEGIN SOLUTION\nz = f(1)\n# END SOLUTION")
    out = nbgrader_solution_source(source)
    assert out == ("def f(x):\n    ### BEGIN SOLUTION\n    y = x + 1\n    for i in range(3):\n        y += i\n"
                   "    return y\n    ### END SOLUTION\n\n### BEGIN SOLUTION\nz = f(1)\n### END SOLUTION")
    from nbgrader.preprocessors import ClearSolutions

    cell = nbformat.v4.new_code_cell(out)
    cleared = ClearSolutions()._replace_solution_region(cell, "python")
    assert cleared
    compile(cell.source, "<student>", "exec")  # the student's stub is valid Python


def test_hidden_ref_tests_load_the_reference_bundle(tmp_path):
    root = copy_toy(tmp_path)
    cells = load_cells(root)
    cells[10]["source"] = src(cells[10]) + "\nnp.testing.assert_allclose(mean_abs([4, -2]), ref.mean_abs([4, -2]))"
    save_cells(root, cells)
    result = release(root / TOY_ID, tmp_path / "dist", fmt="nbgrader")
    course = result.folder / "nbgrader"
    nb = nbformat.read(course / "source" / TOY_ID / f"{TOY_ID}.ipynb", as_version=4)
    cells = _nbgrader_cells(nb)
    uses_ref = next(c.source for gid, c in cells.items() if "ref.mean_abs" in c.source)
    # found from the notebook's folder upwards: no absolute path, so the course folder can move
    assert "ReplayReference.load(next(p / 'reference' / '00-toy'" in uses_ref and str(tmp_path) not in uses_ref
    assert all("ReplayReference" not in c.source for gid, c in cells.items() if c is not None and "ref." not in c.source)
    assert (course / "reference" / TOY_ID / "tests.json").is_file(), "the release's bundle, outside source/"
    assert not list((course / "source").rglob("tests.json"))


@pytest.fixture(scope="module")
def python3_kernel():
    """nbgrader runs notebooks in a Jupyter kernel; install the venv's own if none exists.

    (The setup script can do the same once: python -m ipykernel install --sys-prefix --name python3)
    """
    from jupyter_client.kernelspec import KernelSpecManager

    if "python3" not in KernelSpecManager().find_kernel_specs():
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
                       check=True, capture_output=True)
    return "python3"


def _nbgrader(course: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_nbgrader_grades_the_solution_full_marks(tmp_path, python3_kernel):
    """generate_assignment, then autograde the solution submitted as a student (about 30 s)."""
    result = release(TOY_DIR, tmp_path / "dist", fmt="nbgrader")
    course = tmp_path / "course"
    shutil.copytree(result.folder / "nbgrader", course)
    _nbgrader(course, "generate_assignment", TOY_ID, "--force")

    released_nb = nbformat.read(course / "release" / TOY_ID / f"{TOY_ID}.ipynb", as_version=4)
    public = "\n".join(c.source for c in released_nb.cells)
    assert "quokka" not in public and "wombat" not in public and "magnitudes" not in public
    assert "raise NotImplementedError()" in public

    # the student pastes the solution into the answer cells
    source_nb = nbformat.read(course / "source" / TOY_ID / f"{TOY_ID}.ipynb", as_version=4)
    solutions = _nbgrader_cells(source_nb)
    for cell in released_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = solutions[meta["grade_id"]].source.split("\n")
            cell.source = "\n".join(l for l in lines if l.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    submitted = course / "submitted" / "alice" / TOY_ID / f"{TOY_ID}.ipynb"
    submitted.parent.mkdir(parents=True)
    nbformat.write(released_nb, submitted)

    # bob: the classic mistake, an unshifted softmax (fails one hidden test of q2 only)
    bob = nbformat.read(submitted, as_version=4)
    for cell in bob.cells:
        if cell.source.startswith("def softmax"):
            cell.source = "def softmax(x):\n    e = np.exp(np.asarray(x, dtype=float))\n    return e / e.sum()"
    (course / "submitted" / "bob" / TOY_ID).mkdir(parents=True)
    nbformat.write(bob, course / "submitted" / "bob" / TOY_ID / f"{TOY_ID}.ipynb")

    # the course folder moves (another TA's machine, a renamed share) before grading
    moved = tmp_path / "elsewhere" / "course"
    shutil.move(str(course), moved)
    course = moved
    _nbgrader(course, "autograde", TOY_ID, "--force")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(TOY_ID, "alice")
        grades = {g.name: (g.auto_score, g.max_score) for nb in sub.notebooks for g in nb.grades}
        assert grades["q1-tests"] == (1, 1) and grades["q1-hidden-1"] == (1, 1)
        assert sub.code_score == sub.max_code_score == 5
        assert sub.needs_manual_grade  # q3 is graded by staff
        # partial credit per test, as `course grade` gives it (MUTANT_SCORES["naive_softmax"] == 3)
        assert gb.find_submission(TOY_ID, "bob").code_score == 3

    _nbgrader(course, "generate_feedback", TOY_ID, "--force")
    for student in ("alice", "bob"):
        html = next((course / "feedback" / student / TOY_ID).glob("*.html")).read_text()
        for secret in ("quokka", "wombat", "np.testing.assert_allclose(big", str(tmp_path), "ReplayReference"):
            assert secret not in html, (student, secret)
    bob_html = next((course / "feedback" / "bob" / TOY_ID).glob("*.html")).read_text()
    assert "hidden test q2 - 2" in bob_html or "hidden test q2 - 3" in bob_html
