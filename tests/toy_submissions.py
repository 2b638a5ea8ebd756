"""Helpers for the grading tests: a released toy, and submissions built from its student notebook.

Every submission here is the released student notebook with some cells filled in or added,
the way a real student's notebook looks (otter's init cell and ``grader.check`` cells included;
the runner leaves those out).

Scores on the toy (q1: 2 points = public 1 + hidden 1; q2: 3 points = public 1 + hidden 2;
q3 is manual): the solution earns 5, the untouched template 0, and each mutant below the
score in ``MUTANT_SCORES``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import uuid
from pathlib import Path

from toy_notebooks import TOY_DIR, TOY_ID

MEAN_ABS_OK = """\
def mean_abs(xs):
    magnitudes = np.abs(np.asarray(xs, dtype=float))
    if magnitudes.size == 0:
        return 0.0
    return float(magnitudes.sum() / magnitudes.size)
"""

SOFTMAX_OK = """\
def softmax(x):
    x = np.asarray(x, dtype=float)
    shifted = x - x.max()
    weights = np.exp(shifted)
    return weights / weights.sum()
"""

# the classic mistake: no shift, so softmax([1000, 1000]) overflows to nan (fails the hidden q2 test only)
SOFTMAX_NAIVE = """\
def softmax(x):
    x = np.asarray(x, dtype=float)
    weights = np.exp(x)
    return weights / weights.sum()
"""

MUTANTS = {
    # mean instead of mean of |x|: both q1 tests fail
    "signed_mean": {"mean_abs": "def mean_abs(xs):\n    return float(np.mean(xs)) if len(xs) else 0.0\n",
                    "softmax": SOFTMAX_OK},
    # forgets the empty input (nan, with a warning): only the hidden q1 test fails
    "no_empty_case": {"mean_abs": "def mean_abs(xs):\n    return float(np.mean(np.abs(np.asarray(xs, dtype=float))))\n",
                      "softmax": SOFTMAX_OK},
    # overflow: only the hidden q2 test fails
    "naive_softmax": {"mean_abs": MEAN_ABS_OK, "softmax": SOFTMAX_NAIVE},
    # raises: both q2 tests error, the student's traceback is their message
    "softmax_raises": {"mean_abs": MEAN_ABS_OK,
                       "softmax": "def softmax(x):\n    raise ValueError('not done yet')\n"},
}
MUTANT_SCORES = {"signed_mean": 3.0, "no_empty_case": 4.0, "naive_softmax": 3.0, "softmax_raises": 2.0}
# the honest partial submission the hostile ones are built on (and compared with): naive softmax
PARTIAL = MUTANTS["naive_softmax"]
PARTIAL_SCORE = 3.0
# words that occur only in the toy's hidden tests and solution: never in a result (the hidden q1
# test's failure_message, "... (zebra-7)", is meant for students and is shown when it fails)
SECRET_WORDS = ("quokka", "wombat", "platypus")


def release_toy(out_root: Path, **limits) -> Path:
    """Release the toy into ``out_root`` (optionally with other ``[limits]``); returns dist/<id>."""
    from autograder.release.pipeline import release

    source = TOY_DIR
    if limits:
        staging = out_root.parent / f"{out_root.name}-src" / TOY_ID
        shutil.copytree(TOY_DIR, staging)
        toml = staging / "assignment.toml"
        text = toml.read_text()
        for key, value in limits.items():
            text, n = re.subn(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", text)
            assert n == 1, f"no limit {key!r} in the toy's assignment.toml"
        toml.write_text(text)
        source = staging
    release(source, out_root)
    return out_root / TOY_ID


def student_template(dist: Path) -> dict:
    return json.loads((dist / "student" / f"{TOY_ID}.ipynb").read_text())


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": uuid.uuid4().hex[:8], "metadata": {},
            "outputs": [], "source": source}


def _source(cell: dict) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def submission(dist: Path, mean_abs: str | None = None, softmax: str | None = None,
               before: list[str] = (), after: list[str] = (), replace_imports: str | None = None) -> bytes:
    """The student notebook with the two answer cells filled in and extra code cells.

    ``before`` cells go first (before ``import numpy``), ``after`` cells at the end.
    """
    nb = copy.deepcopy(student_template(dist))
    cells = nb["cells"]
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] != "code":
            continue
        if mean_abs is not None and text.startswith("def mean_abs"):
            cell["source"] = mean_abs
        elif softmax is not None and text.startswith("def softmax"):
            cell["source"] = softmax
        elif replace_imports is not None and text == "import numpy as np":
            cell["source"] = replace_imports
    nb["cells"] = [code_cell(s) for s in before] + cells + [code_cell(s) for s in after]
    return json.dumps(nb, indent=1).encode()


def solution(dist: Path) -> bytes:
    return submission(dist, MEAN_ABS_OK, SOFTMAX_OK)


def template(dist: Path) -> bytes:
    return (dist / "student" / f"{TOY_ID}.ipynb").read_bytes()


def mutant(dist: Path, name: str) -> bytes:
    return submission(dist, **MUTANTS[name])


def partial(dist: Path, before: list[str] = (), after: list[str] = (), **kw) -> bytes:
    """The honest partial submission (naive softmax: 3 of 5) with hostile cells added."""
    fields = dict(PARTIAL, **kw)
    return submission(dist, before=before, after=after, **fields)


def outcomes(result: dict) -> dict:
    """test name -> (status, points): what must be identical across backends and reruns."""
    return {t["name"]: (t["status"], t["points"]) for q in result["questions"].values() for t in q["tests"]}


def backend_or_fail(name: str):
    """The named backend; a missing one FAILS the test with its reason (CI installs all three)."""
    import pytest

    from autograder.isolation.registry import get_backend

    try:
        return get_backend(name)
    except RuntimeError as e:
        pytest.fail(f"the {name} backend is not available here: {e}", pytrace=False)
