"""Helpers shared by the release/check/submit tests: the toy assignment and broken variants.

The toy master's cells (1-based), which the malformed cases below edit:
 1 md title            2 raw ASSIGNMENT CONFIG   3 code import numpy
 4 raw BEGIN QUESTION q1   5 md   6 BEGIN SOLUTION   7 code solution   8 END SOLUTION
 9 BEGIN TESTS   10 public test   11 hidden test   12 END TESTS   13 END QUESTION
14 raw BEGIN QUESTION q2  15 md  16 BEGIN SOLUTION  17 code solution  18 END SOLUTION
19 BEGIN TESTS   20 public test   21 hidden test   22 END TESTS   23 END QUESTION
24 raw BEGIN QUESTION q3 (manual)  25 md  26 BEGIN SOLUTION  27 md answer  28 END SOLUTION
29 END QUESTION  30 md
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
TOY_ID = "00-toy"
TOY_DIR = REPO / "assignments" / TOY_ID


def copy_toy(tmp_path: Path) -> Path:
    """A private assignments/ folder holding a copy of the toy; returns the assignments root."""
    root = tmp_path / "assignments"
    shutil.copytree(TOY_DIR, root / TOY_ID)
    return root


def master_path(root: Path) -> Path:
    return root / TOY_ID / f"{TOY_ID}.ipynb"


def load_cells(root: Path) -> list[dict]:
    return json.loads(master_path(root).read_text())["cells"]


def save_cells(root: Path, cells: list[dict]) -> None:
    path = master_path(root)
    nb = json.loads(path.read_text())
    nb["cells"] = cells
    path.write_text(json.dumps(nb, indent=1))


def src(cell: dict) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def raw(text: str) -> dict:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}


@dataclass
class Malformed:
    name: str
    edit: Callable[[list[dict]], None]  # edits the cell list in place
    cell: int  # the cell the error must name (1-based, after the edit)
    words: str  # a phrase the message must contain


def _set(i: int, text: str, kind: str | None = None):
    def edit(cells):
        cells[i - 1]["source"] = text
        if kind:
            cells[i - 1]["cell_type"] = kind
            if kind == "code":
                cells[i - 1].update(outputs=[], execution_count=None)
            else:
                cells[i - 1].pop("outputs", None)
                cells[i - 1].pop("execution_count", None)
    return edit


def _delete(*indices: int):
    def edit(cells):
        for i in sorted(indices, reverse=True):
            del cells[i - 1]
    return edit


def _insert(after: int, *new: dict):
    def edit(cells):
        cells[after:after] = list(new)
    return edit


def _strip_end_solution(cells):
    cells[6]["source"] = src(cells[6]).replace("\n    # END SOLUTION", "")


def _no_markers(cells):
    cells[6]["source"] = "\n".join(l for l in src(cells[6]).split("\n") if "SOLUTION" not in l)


MALFORMED = [
    Malformed("unclosed question", _delete(29, 30), 24, "never closed"),
    Malformed("unclosed solution block", _delete(28, 29, 30), 26, "BEGIN SOLUTION is never closed"),
    Malformed("solution block left open at END QUESTION", _delete(28), 28, "still open"),
    Malformed("unclosed tests block", _delete(22), 22, "BEGIN TESTS of cell 19 is still open"),
    Malformed("unclosed prompt block", _set(26, "# BEGIN PROMPT"), 28, "BEGIN PROMPT of cell 26"),
    Malformed("unclosed in-cell solution", _strip_end_solution, 7, "never closed"),
    Malformed("end without begin", _insert(3, raw("# END SOLUTION")), 4, "without a BEGIN SOLUTION"),
    Malformed("manual question without points", _set(4, "# BEGIN QUESTION\nname: q1\nmanual: true"), 4, "has no points"),
    Malformed("duplicate question names", _set(14, "# BEGIN QUESTION\nname: q1\npoints: 3"), 14,
              "duplicate question name"),
    Malformed("tests outside a question",
              _insert(3, raw("# BEGIN TESTS"), code("assert 1 + 1 == 2"), raw("# END TESTS")), 4,
              "outside a question"),
    Malformed("hidden test outside a question",
              _insert(3, code('""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\nassert mean_abs([2]) == 2')),
              4, "looks like a hidden test"),
    Malformed("public test uses ref", _set(10, "assert mean_abs([1, -1]) == ref.mean_abs([1, -1])"), 10,
              "public test uses `ref`"),
    Malformed("public test uses feedback", _set(10, 'feedback.metric("x", 1.0)\nassert True'), 10,
              "public test uses `feedback`"),
    Malformed("bad question yaml", _set(4, "# BEGIN QUESTION\nname: [q1\npoints: 2"), 4, "not valid YAML"),
    Malformed("bad test yaml",
              _set(10, '""" # BEGIN TEST CONFIG\nhidden: [true\n""" # END TEST CONFIG\nassert True'), 10,
              "not valid YAML"),
    Malformed("unclosed test config", _set(10, '""" # BEGIN TEST CONFIG\nhidden: true\nassert True'), 10,
              "TEST CONFIG is never closed"),
    Malformed("marker in a code cell", _set(8, "# END SOLUTION", kind="code"), 8, "must be raw cells"),
    Malformed("solution cell without markers", _no_markers, 7, "no solution markers"),
    Malformed("bare expression test", _set(10, "mean_abs([1, -1]) == 1.0"), 10, "bare expression"),
    Malformed("points list of the wrong length", _set(14, "# BEGIN QUESTION\nname: q2\npoints: [1, 2, 3]"), 14,
              "lists 3 point values"),
    Malformed("rubric that does not add up",
              _set(24, "# BEGIN QUESTION\nname: q3\nmanual: true\npoints: 1\nrubric:\n"
                       "  - points: 1\n    criterion: names the cancelling factor\n"
                       "  - points: 1\n    criterion: says why"), 24, "adds up to 2 points, not its 1"),
    Malformed("rubric on an autograded question",
              _set(4, "# BEGIN QUESTION\nname: q1\npoints: 2\nrubric:\n  - points: 2\n    criterion: x"), 4,
              "has a rubric but is autograded"),
    Malformed("rubric item without a criterion",
              _set(24, "# BEGIN QUESTION\nname: q3\nmanual: true\npoints: 1\nrubric:\n  - points: 1"), 24,
              "is not `points` and `criterion`"),
]
