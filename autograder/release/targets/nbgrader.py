"""``course release --format nbgrader``: an nbgrader source notebook from the master.

Writes ``<out>/source/<id>/<id>.ipynb`` (copy ``<out>`` into an nbgrader course folder, or
point ``CourseDirectory.root`` at it) and ``<out>/nbgrader_config.py``. Mapping:

* solution code cells: nbgrader solution cells; otter's ``# SOLUTION`` lines and
  ``# BEGIN SOLUTION`` blocks become ``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions, so
  students get nbgrader's ``raise NotImplementedError()`` stub where otter gives ``...``;
* each autograded question: locked autograded test cells after the question: one for its
  public tests (grade_id ``<q>-tests``, their points) and one per hidden test (``<q>-hidden-<n>``,
  its points, the whole cell between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``).
  nbgrader grades a test cell all or nothing, so this gives the same partial credit per test
  as ``course grade``, except that the public tests of a question share one cell;
* hidden tests get what ``course grade`` provides them (``assert_close``, ``student_path``,
  a ``feedback`` that nbgrader does not show), and those that use ``ref`` a preamble that
  loads the reference replay from ``reference/<id>/`` in the course folder (found from the
  notebook's folder upwards, so the course folder can move; ``release`` copies the release's
  autograder bundle there, outside ``source/``, so nbgrader never hands it to students);
* feedback (``nbgrader_config.py``): ``generate_feedback`` runs :class:`HiddenTestFeedback`,
  which replaces each hidden test cell's code and traceback with its name and, when it failed,
  its failure message only;
* manual questions: the written (or code) answer cell is an nbgrader manually graded cell;
* Markdown cells are locked; PROMPT cells are dropped (nbgrader shows its own stub).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor

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
REFERENCE_DIR = "reference"
REF_PREAMBLE = (
    "from autograder.grading.reference_replay import ReplayReference\n"
    "ref = ReplayReference.load(next(p / {ref!r} / {id!r} for p in [student_path.cwd(), *student_path.cwd().parents]\n"
    "                                if (p / {ref!r} / {id!r}).is_dir()))"
)
HIDDEN = "hidden"          # grade ids <q>-hidden-<n>: what HiddenTestFeedback rewrites
# what `course grade` gives every hidden test; under nbgrader the tests run in the student's
# kernel, whose working folder is the student's folder
GRADING_PREAMBLE = (
    "from pathlib import Path as student_path\n"
    "from autograder.grading.feedback import Feedback\n"
    "from course_lib.testing import assert_close, assert_doctest, assert_equal\n"
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


def test_cells(q: Question, assignment_id: str) -> list[tuple[str, str, float, dict]]:
    """(grade id, source, points, course metadata) of each test cell of ``q``."""
    cells = []
    if q.public_tests:
        cells.append((_grade_id(q.name, "tests"), "\n\n".join(f"# {t.name}\n{t.code}" for t in q.public_tests),
                      sum(t.points for t in q.public_tests), {}))
    for n, t in enumerate(q.hidden_tests, 1):
        body = [GRADING_PREAMBLE]
        if t.uses_ref:
            body.append(REF_PREAMBLE.format(ref=REFERENCE_DIR, id=assignment_id))
        body.append(f"# {t.name}\n{t.code}")
        cells.append((_grade_id(q.name, HIDDEN, str(n)), "### BEGIN HIDDEN TESTS\n" + "\n\n".join(body)
                      + "\n### END HIDDEN TESTS", t.points,
                      {"test": t.name, "failure_message": t.failure_message or "a hidden test failed"}))
    return cells


def source_notebook(assignment: Assignment):
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
            for grade_id, source, points, course_meta in test_cells(end, assignment.id):
                meta = _meta(grade_id, grade=True, locked=True, points=points)
                if course_meta:
                    meta["course"] = course_meta
                add("code", source, meta)

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
# students' feedback: hidden tests show their name and failure message, never code or traceback
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.release.targets.nbgrader.HiddenTestFeedback",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''


def write_nbgrader_source(assignment: Assignment, out: Path) -> Path:
    """Write ``out/source/<id>/<id>.ipynb`` and ``out/nbgrader_config.py``."""
    from nbgrader.nbgraderformat import MetadataValidator

    nb = source_notebook(assignment)
    MetadataValidator().validate_nb(nb)  # nbgrader's own schema check
    nbformat.validate(nb)
    path = Path(out) / "source" / assignment.id / f"{assignment.id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    (Path(out) / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    return path


def add_reference(out: Path, assignment_id: str, autograder_dir: Path) -> Path:
    """Copy the release's autograder bundle to ``out/reference/<id>/``: hidden tests that use
    ``ref`` find it there, from wherever the course folder is (outside ``source/``: never released)."""
    import shutil

    dest = Path(out) / REFERENCE_DIR / assignment_id
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(autograder_dir, dest)
    return dest


class HiddenTestFeedback(Preprocessor):
    """nbgrader's feedback with each hidden test cell reduced to its name and, if it failed, its
    failure message: no test code, expected value, traceback or path reaches a student."""

    enabled = True      # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {})
        grade_id = meta.get("nbgrader", {}).get("grade_id", "")
        if cell.get("cell_type") == "code" and f"-{HIDDEN}-" in grade_id:
            course_meta = meta.get("course", {})
            failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            cell["source"] = f"# hidden test {course_meta.get('test', grade_id)}"
            cell["outputs"] = [nbformat.v4.new_output(
                "stream", name="stdout",
                text=(course_meta.get("failure_message", "a hidden test failed") if failed else "passed") + "\n")]
        return cell, resources
