"""``course release --format nbgrader``: an nbgrader source notebook from the master.

Writes ``<out>/source/<id>/<id>.ipynb`` (copy ``<out>`` into an nbgrader course folder, or
point ``CourseDirectory.root`` at it) and ``<out>/nbgrader_config.py``. Mapping:

* solution code cells: nbgrader solution cells; otter's ``# SOLUTION`` lines and
  ``# BEGIN SOLUTION`` blocks become ``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions, so
  students get nbgrader's ``raise NotImplementedError()`` stub where otter gives ``...``;
* each autograded question: one locked autograded test cell after the question (grade_id
  ``<q>-tests``, points = the question's points), public tests first, hidden tests between
  ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``. nbgrader grades a test cell all or
  nothing, so partial credit within a question is lost;
* hidden tests get what ``course grade`` provides them (``assert_close``, ``student_path``,
  a ``feedback`` that nbgrader does not show), and those that use ``ref`` a preamble that
  loads the reference replay from the autograder bundle of the same release;
* manual questions: the written (or code) answer cell is an nbgrader manually graded cell;
* Markdown cells are locked; PROMPT cells are dropped (nbgrader shows its own stub).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from autograder.authoring.master import (
    BEGIN_SOLUTION_RE,
    SOLUTION_ASSIGNMENT_RE,
    SOLUTION_LINE_RE,
    SOLUTION_MARK_RE,
    Assignment,
    Cell,
    Question,
    removed_solution_text,
    strip_ignored,
)

NBGRADER_BEGIN, NBGRADER_END = "### BEGIN SOLUTION", "### END SOLUTION"
REF_PREAMBLE = (
    "from autograder.grading.reference_replay import ReplayReference\n"
    "ref = ReplayReference.load({path!r})"
)
# what `course grade` gives every hidden test; under nbgrader the tests run in the student's
# kernel, whose working folder is the student's folder
GRADING_PREAMBLE = (
    "from pathlib import Path as student_path\n"
    "from autograder.grading.feedback import Feedback\n"
    "from course_lib.testing import assert_close, assert_equal\n"
    "feedback = Feedback()"
)
DEFAULT_KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _grade_id(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9_-]", "_", p) for p in parts)


def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def nbgrader_solution_source(source: str) -> str:
    """Rewrite otter's in-cell solution markers as nbgrader solution regions."""
    out: list[str] = []
    in_block = False
    for line in strip_ignored(source.split("\n")):
        text = line.rstrip()
        begin = BEGIN_SOLUTION_RE.match(line)
        if text.endswith("# END SOLUTION"):
            out.append(line[: len(line) - len(line.lstrip())] + NBGRADER_END)
            in_block = False
        elif in_block:
            out.append(line)
        elif begin:
            out.append(begin.group(1) + NBGRADER_BEGIN)
            in_block = True
        elif text.endswith(("# BEGIN PROMPT", "# END PROMPT")) or text.endswith("# SEED"):
            out.append(line)
        elif SOLUTION_ASSIGNMENT_RE.match(line) or SOLUTION_LINE_RE.match(line) or \
                text.endswith("# SOLUTION NO PROMPT"):
            indent = line[: len(line) - len(line.lstrip())]
            body = SOLUTION_MARK_RE.split(line)[0].rstrip()
            # consecutive marked lines form one region (at the first line's indentation,
            # or the student's stub would be mis-indented)
            if out and out[-1].strip() == NBGRADER_END:
                out.pop()
            else:
                out.append(indent + NBGRADER_BEGIN)
            out += [body, indent + NBGRADER_END]
        else:
            out.append(line)
    return "\n".join(_drop_prompt_strings(out))


def _drop_prompt_strings(lines: list[str]) -> list[str]:
    """Remove ``\"\"\" # BEGIN PROMPT`` ... ``\"\"\" # END PROMPT`` regions: nbgrader stubs instead."""
    out, in_prompt = [], False
    for line in lines:
        text = line.rstrip()
        if text.endswith("# BEGIN PROMPT"):
            in_prompt = True
        elif text.endswith("# END PROMPT"):
            in_prompt = False
        elif not in_prompt:
            out.append(line)
    return out


def test_cell_source(q: Question, reference_dir: Path) -> str:
    parts = []
    for t in q.public_tests:
        parts.append(f"# {t.name}\n{t.code}")
    hidden = q.hidden_tests
    if hidden:
        body = [GRADING_PREAMBLE]
        if any(t.uses_ref for t in hidden):
            body.append(REF_PREAMBLE.format(path=str(Path(reference_dir).resolve())))
        body += [f"# {t.name}\n{t.code}" for t in hidden]
        parts.append("### BEGIN HIDDEN TESTS\n" + "\n\n".join(body) + "\n### END HIDDEN TESTS")
    return "\n\n".join(parts)


def source_notebook(assignment: Assignment, reference_dir: Path):
    """The nbgrader source (instructor) version of the master notebook."""
    cells = []
    questions = {q.name: q for q in assignment.questions}
    ends = {q.cells[-1].index: q for q in assignment.questions if q.cells}
    manual_graded: dict[str, dict] = {}  # question -> its manually graded answer cell

    def add(kind: str, source: str, metadata: dict, c: Cell | None = None):
        cell = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
                "raw": nbformat.v4.new_raw_cell}[kind](source, metadata=metadata)
        if c is not None and c.attachments and kind != "code":
            cell["attachments"] = c.attachments
        cells.append(cell)
        return cell

    for c in assignment.cells:
        q = questions.get(c.question) if c.question else None
        if c.role in ("marker", "ignored", "test", "prompt"):
            pass
        elif c.role == "solution" and q is not None and q.manual and c.kind == "markdown" \
                and q.name in manual_graded and manual_graded[q.name].cell_type == "markdown":
            manual_graded[q.name].source += "\n\n" + "\n".join(strip_ignored(c.source.split("\n")))
        elif c.role == "solution" and q is not None and q.manual and q.name not in manual_graded:
            src = "\n".join(strip_ignored(c.source.split("\n")))
            if c.kind == "code":
                src = nbgrader_solution_source(c.source)
            manual_graded[q.name] = add(c.kind, src, _meta(_grade_id(q.name, "answer"), grade=True,
                                                           solution=True, points=q.points), c)
        elif c.kind == "code" and removed_solution_text(c.source.split("\n")):
            add("code", nbgrader_solution_source(c.source),
                _meta(_grade_id(c.question or "cell", f"solution-{c.index}"), solution=True), c)
        elif c.role == "solution":  # written answer to an autograded question: not graded
            add(c.kind, "\n".join(strip_ignored(c.source.split("\n"))), {}, c)
        elif c.kind == "markdown":
            add("markdown", "\n".join(strip_ignored(c.source.split("\n"))),
                _meta(_grade_id(f"text-{c.index}"), locked=True), c)
        else:
            add(c.kind, "\n".join(strip_ignored(c.source.split("\n"))), {}, c)

        end = ends.get(c.index)
        if end is None:
            continue
        if end.manual and end.name not in manual_graded:
            manual_graded[end.name] = add("markdown", "YOUR ANSWER HERE", _meta(
                _grade_id(end.name, "answer"), grade=True, solution=True, points=end.points))
        if not end.manual:
            add("code", test_cell_source(end, reference_dir),
                _meta(_grade_id(end.name, "tests"), grade=True, locked=True, points=end.points))

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(assignment.notebook_metadata.get("kernelspec") or DEFAULT_KERNELSPEC)
    nb.metadata["kernelspec"].setdefault("language", "python")
    if "language_info" in assignment.notebook_metadata:
        nb.metadata["language_info"] = assignment.notebook_metadata["language_info"]
    nb.metadata["course"] = {"assignment": assignment.id, "version": "nbgrader-source"}
    for n, cell in enumerate(cells, 1):
        cell["id"] = f"cell-{n:03d}"
    nb.cells = cells
    return nb


NBGRADER_CONFIG = '''\
# nbgrader configuration for the course folder made by `course release --format nbgrader`.
# Run nbgrader from this folder (CourseDirectory.root defaults to the working directory).
c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = "genai-course"
'''


def write_nbgrader_source(assignment: Assignment, out: Path, reference_dir: Path) -> Path:
    """Write ``out/source/<id>/<id>.ipynb``; ``reference_dir`` is the released autograder folder."""
    from nbgrader.nbgraderformat import MetadataValidator

    nb = source_notebook(assignment, reference_dir)
    MetadataValidator().validate_nb(nb)  # nbgrader's own schema check
    nbformat.validate(nb)
    path = Path(out) / "source" / assignment.id / f"{assignment.id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    (Path(out) / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    return path
