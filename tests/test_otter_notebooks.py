"""Ordinary otter 7 notebooks release and grade here with the scores ``otter run`` gives them.

The master below is written the way otter's documentation writes one (written here, not
copied): bare-expression tests compared with the outputs saved in the master, a ``# HIDDEN``
comment, per-test ``points`` and otter's other test-config keys (``name``, ``success_message``,
``failure_message``), a question without ``points`` (otter's default) and one with
``points: {each: 1}``, and question text that quotes a solution line. ``otter assign`` builds
otter's own autograder from the same master and ``otter run`` grades each submission with it;
``course release`` + the grading engine must give every question the same points. A student's
``grader.export()`` zip grades like the notebook inside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.grading.submissions import read_submissions
from autograder.isolation.local import LocalBackend
from autograder.release.pipeline import release

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("otter-notebooks")]

OTTER_ID = "otter-style"


def md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def raw(text: str) -> dict:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def code(text: str, result: str | None = None, stream: str | None = None) -> dict:
    """A code cell with the outputs the author's run saved (otter's tests compare with them)."""
    outputs = []
    if stream is not None:
        outputs.append({"output_type": "stream", "name": "stdout", "text": stream})
    if result is not None:
        outputs.append({"output_type": "execute_result", "execution_count": 1, "metadata": {},
                        "data": {"text/plain": result}})
    return {"cell_type": "code", "execution_count": 1 if outputs else None, "metadata": {}, "outputs": outputs,
            "source": text}


def otter_master() -> dict:
    cells = [
        md("# Squares and means\n\nWrite three small functions."),
        raw("# ASSIGNMENT CONFIG\nexport_cell: false\ncheck_all_cell: false\ninit_cell: false"),
        code("import numpy as np"),
        raw("# BEGIN QUESTION\nname: q1\npoints: 2"),
        md("**Question 1.** Write `square(x)`; its body is one line, `return x * x`."),
        raw("# BEGIN SOLUTION"),
        code("def square(x):\n    return x * x # SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code("square(3) == 9", result="True"),
        code("# HIDDEN\nsquare(-2)", result="4"),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        raw("# BEGIN QUESTION\nname: q2"),
        md("**Question 2.** Write `mean(xs)`, the arithmetic mean of a non-empty list, as a float."),
        raw("# BEGIN SOLUTION"),
        code("def mean(xs):\n    # BEGIN SOLUTION\n    return sum(xs) / len(xs)\n    # END SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code('""" # BEGIN TEST CONFIG\npoints: 1\nname: mean of three\nsuccess_message: Right!\n""" # END TEST CONFIG\n'
             "mean([1, 2, 3])", result="2.0"),
        code('""" # BEGIN TEST CONFIG\nhidden: true\npoints: 2\nfailure_message: check fractions\n"""'
             " # END TEST CONFIG\nprint(round(mean([0.5, 0.25]), 3))", stream="0.375\n"),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        raw("# BEGIN QUESTION\nname: q3\npoints:\n  each: 1"),
        md("**Question 3.** Write `sum_of_squares(xs)` with `square`."),
        raw("# BEGIN SOLUTION"),
        code("def sum_of_squares(xs):\n    return sum(square(x) for x in xs) # SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code("sum_of_squares([1, 2, 3])", result="14"),
        code("assert sum_of_squares([]) == 0"),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                         "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


WRONG = {  # submission -> replacement bodies of the student's answer cells
    "solution": {},
    "square_doubles": {"def square": "def square(x):\n    return x * 2"},
    "integer_mean": {"def mean": "def mean(xs):\n    return sum(xs) // len(xs)"},
    "template": None,
}


def submission(student_nb: dict, solution_nb: dict, name: str) -> bytes:
    nb = json.loads(json.dumps(student_nb))
    if WRONG[name] is not None:   # the template stays as released
        sources = ["".join(c["source"]) for c in solution_nb["cells"] if c["cell_type"] == "code"]
        answers = {s.split("(")[0]: s for s in sources if s.startswith("def ")}
        answers.update(WRONG[name])
        for c in nb["cells"]:
            head = "".join(c["source"]).split("(")[0]
            if c["cell_type"] == "code" and head in answers:
                c["source"] = answers[head]
    return json.dumps(nb).encode()


def otter_scores(master: Path, notebooks: dict[str, bytes], work: Path) -> dict[str, dict[str, float]]:
    """Per submission, per question, the points ``otter run`` gives with otter's own autograder."""
    out = work / "otter-out"
    done = subprocess.run([sys.executable, "-m", "otter", "assign", str(master), str(out)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    zips = list((out / "autograder").glob("*.zip"))
    assert len(zips) == 1, zips
    scores = {}
    for name, data in notebooks.items():
        folder = work / "otter-run" / name
        folder.mkdir(parents=True)
        nb = folder / f"{OTTER_ID}.ipynb"
        nb.write_bytes(data)
        done = subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zips[0]), "-o", str(folder), str(nb)],
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        results = json.loads((folder / "results.json").read_text())
        scores[name] = {t["name"]: float(t["score"]) for t in results["tests"] if "score" in t}   # a row per question
    return scores


@pytest.fixture(scope="module")
def otter_assignment(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("otter-style") / OTTER_ID
    root.mkdir()
    (root / f"{OTTER_ID}.ipynb").write_text(json.dumps(otter_master(), indent=1))
    (root / "assignment.toml").write_text('title = "Squares and means (written for otter)"\n')
    return root


def test_otter_notebook_grades_as_otter_run_does(otter_assignment, tmp_path):
    dist = release(otter_assignment, tmp_path / "dist").folder
    bundle = Bundle.load(dist / "autograder")
    tests = {t["name"]: t for t in bundle.tests}
    assert [round(t["points"], 6) for t in bundle.tests] == [1, 1, 1, 2, 1, 1]
    assert tests["q1 - 2"]["hidden"] and tests["q2 - 2"]["hidden"] and not tests["q1 - 1"]["hidden"]
    assert tests["q2 - 1"]["success_message"] == "Right!" and tests["q2 - 2"]["failure_message"] == "check fractions"
    student_nb = json.loads((dist / "student" / f"{OTTER_ID}.ipynb").read_text())
    solution_nb = json.loads((dist / "autograder" / "solution.ipynb").read_text())
    notebooks = {name: submission(student_nb, solution_nb, name) for name in WRONG}

    ours = {}
    for name, data in notebooks.items():
        result = grade_notebook(bundle, data, LocalBackend(), student=name)
        ours[name] = {q: p["points"] for q, p in result["questions"].items()}
    assert ours["solution"] == {"q1": 2, "q2": 3, "q3": 2}, ours
    assert ours["square_doubles"]["q1"] == 0 and ours["integer_mean"]["q2"] == 0, ours
    theirs = otter_scores(otter_assignment / f"{OTTER_ID}.ipynb", notebooks, tmp_path)
    for name in notebooks:
        assert ours[name] == pytest.approx(theirs[name]), (name, ours[name], theirs[name])


def test_a_grader_export_zip_grades_like_its_notebook(otter_assignment, tmp_path):
    dist = release(otter_assignment, tmp_path / "dist").folder
    bundle = Bundle.load(dist / "autograder")
    student_nb = json.loads((dist / "student" / f"{OTTER_ID}.ipynb").read_text())
    solution_nb = json.loads((dist / "autograder" / "solution.ipynb").read_text())
    data = submission(student_nb, solution_nb, "integer_mean")
    subs = tmp_path / "subs" / "alice"            # a folder per student, as LMS downloads come
    subs.mkdir(parents=True)
    with zipfile.ZipFile(subs / f"{OTTER_ID}_2030_01_01T10_00_00_000000.zip", "w") as zf:   # what export() writes
        zf.writestr(f"{OTTER_ID}.ipynb", data)
        zf.writestr(".OTTER_LOG", b"\x80\x04N.")
        zf.writestr("__zip_filename__", f"{OTTER_ID}_2030_01_01T10_00_00_000000.zip")
    (sub,) = read_submissions(tmp_path / "subs", assignment=OTTER_ID)
    assert sub.error is None and sub.student_id == "alice", sub
    from_zip = grade_notebook(bundle, sub.notebook_bytes(), LocalBackend(), student="alice")
    direct = grade_notebook(bundle, data, LocalBackend(), student="alice")
    assert from_zip["score"] == direct["score"] == 4.0
