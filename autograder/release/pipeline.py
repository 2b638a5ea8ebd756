"""``course release``: turn ``assignments/<id>/`` into what students and graders get.

``dist/<id>/student/``     ``<id>.ipynb`` (solutions replaced by ``...``, tests removed, an
                           otter init cell and ``grader.check`` cells), ``tests/<q>.py`` (public
                           tests only, otter OK format), ``README.md``
``dist/<id>/autograder/``  ``solution.ipynb`` (the reference to execute), ``tests.json`` (every
                           test), ``questions.json``, ``assignment.toml``, ``manifest.json``,
                           ``rubric.md`` (staff-graded questions: criteria, model answers),
                           ``written.json`` (the same for the TAs' page of ``course serve``)
``dist/<id>/nbgrader/``    with ``--format nbgrader``: an nbgrader course source tree
``dist/<id>/gradescope/``  with ``--gradescope``: ``<id>-gradescope.zip``, an autograder that grades with this engine

Everything is built in a staging folder next to the target and renamed into place at the
end, so a failed release (a malformed notebook, a detected leak) leaves ``dist/`` as it was.
Before the rename, every student-facing file is scanned for solution lines and hidden
tests; a hit aborts the release.
"""

from __future__ import annotations

import ast
import json
import os
import pprint
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from autograder.authoring.master import (
    RESPONSE_CELL,
    Assignment,
    Cell,
    Question,
    Test,
    load_assignment,
    removed_solution_text,
    sha256_bytes,
    solution_source,
    strip_ignored,
    student_source,
    to_doctest,
)
from autograder.grading.bundle import ZOO_FINGERPRINT
from autograder.release.errors import ReleaseError
from autograder.version import tool_version
from course_lib.models import zoo
from course_lib.student_setup import SETUP_CELL

STUDENT_METADATA_KEY = "course"
CELL_METADATA_KEEP = ("tags", "editable", "deletable", "jupyter", "slideshow", "collapsed", "scrolled")
DEFAULT_KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
INIT_SOURCE = '# Initialize Otter\nimport otter\ngrader = otter.Notebook(tests_dir="tests")'


def after_release(assignment: Assignment, autograder_dir: Path) -> None:
    """Called once the autograder folder is complete but not yet hashed: records the reference.

    Runs ``solution.ipynb`` once, as a submission, and stores what ``ref`` answered for every
    test (``autograder.grading.reference_replay``). A solution that fails its own tests aborts the release,
    naming the tests; ``dist/`` is left untouched. Each test's outcome in that run goes beside
    the bundle, for ``course validate --quick``.
    """
    from autograder.release.record_reference import REFERENCE_RUN, ReferenceFailure, record, save_reference_run

    try:
        result = record(autograder_dir)
    except ReferenceFailure as e:
        raise ReleaseError(f"{assignment.notebook_path}: {e}") from None
    save_reference_run(autograder_dir.parent / REFERENCE_RUN, result)


# --------------------------------------------------------------------------- notebooks


def _cell_id(n: int) -> str:
    return f"cell-{n:03d}"  # stable ids: the same master gives byte-identical releases


def _clean_metadata(cell: Cell, locked: bool = False) -> dict:
    meta = {k: v for k, v in cell.metadata.items() if k in CELL_METADATA_KEEP}
    if locked:
        meta["editable"], meta["deletable"] = False, False
    return meta


def _new_cell(kind: str, source: str, metadata: dict | None = None, attachments: dict | None = None):
    factory = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
               "raw": nbformat.v4.new_raw_cell}[kind]
    cell = factory(source, metadata=metadata or {})
    if attachments and kind in ("markdown", "raw"):
        cell["attachments"] = attachments
    return cell


def _notebook(assignment: Assignment, cells: list, role: str, extra: dict | None = None):
    nb = nbformat.v4.new_notebook()
    meta = assignment.notebook_metadata
    nb.metadata["kernelspec"] = meta.get("kernelspec") or dict(DEFAULT_KERNELSPEC)
    if "language_info" in meta:
        nb.metadata["language_info"] = meta["language_info"]
    nb.metadata[STUDENT_METADATA_KEY] = {"assignment": assignment.id, "version": role, **(extra or {})}
    for n, cell in enumerate(cells, 1):
        cell["id"] = _cell_id(n)
    nb.cells = cells
    return nb


def _question_ends(assignment: Assignment) -> dict[int, Question]:
    return {q.cells[-1].index: q for q in assignment.questions if q.cells}


def has_check_cell(q: Question) -> bool:
    return not q.manual and q.check_cell and bool(q.public_tests)


def student_notebook(assignment: Assignment):
    """The released notebook: solutions out, prompts in, tests out, check cells added."""
    cells = [_new_cell("code", SETUP_CELL, {"editable": False, "deletable": False}),
             _new_cell("code", INIT_SOURCE, {"editable": False, "deletable": False})]
    ends = _question_ends(assignment)
    questions = {q.name: q for q in assignment.questions}
    answered: set[str] = set()
    for c in assignment.cells:
        q = questions.get(c.question) if c.question else None
        written = q is not None and q.manual
        if c.role in ("text", "prompt", "solution"):
            if c.kind == "code":
                meta = _clean_metadata(c)
                if c.role == "solution":  # otter's tag for cells students answer in
                    meta["tags"] = [*meta.get("tags", []), "otter_answer_cell"]
                if written:
                    meta[STUDENT_METADATA_KEY] = {"answer": q.name}
                cells.append(_new_cell("code", student_source(c.source), meta))
            elif c.role == "solution":  # a written solution: replaced by a response cell
                if written and q.name not in answered and not any(x.role == "prompt" for x in q.cells):
                    cells.append(_new_cell("markdown", RESPONSE_CELL, {"tags": ["otter_answer_cell"],
                                                                       STUDENT_METADATA_KEY: {"answer": q.name}}))
                    answered.add(q.name)
            else:
                locked = c.role == "text" and q is not None
                src = "\n".join(strip_ignored(c.source.split("\n")))
                meta = _clean_metadata(c, locked)
                if written:     # the TAs' page finds a student's answer by these marks (written_answers.py)
                    meta[STUDENT_METADATA_KEY] = {"answer" if c.role == "prompt" else "question": q.name}
                cells.append(_new_cell(c.kind, src, meta, c.attachments))
        if c.index in ends and has_check_cell(ends[c.index]):
            q_end = ends[c.index]
            cells.append(_new_cell("code", f'grader.check("{q_end.name}")',
                                   {"editable": False, "deletable": False}))
    # course check warns on `forbid` in the functions students write (their stubs' names, public)
    questions_meta = [{**q.to_json(), **({"forbid_in": q.student_defines} if q.forbid else {})}
                      for q in assignment.questions]
    return _notebook(assignment, cells, "student", {"questions": questions_meta})


def solution_notebook(assignment: Assignment):
    """The reference: the master's code with solutions kept, tests/prompts/markers removed."""
    cells = []
    for c in assignment.cells:
        if c.role not in ("text", "solution"):
            continue
        src = solution_source(c.source)
        cells.append(_new_cell(c.kind, src, _clean_metadata(c), c.attachments))
    return _notebook(assignment, cells, "solution")


# --------------------------------------------------------------------------- otter OK tests


def ok_test_file(q: Question, tests: list[Test]) -> str:
    """An otter OK-format test file (``OK_FORMAT = True``, ``test = {...}``)."""
    cases = []
    for t in tests:
        case = {"name": t.name, "code": t.doctest or to_doctest(t.code), "hidden": t.hidden, "locked": False,
                "points": t.points}
        if t.success_message:
            case["success_message"] = t.success_message
        if t.failure_message:
            case["failure_message"] = t.failure_message
        cases.append(case)
    spec: dict = {"name": q.name, "points": None}
    if q.all_or_nothing:
        spec["all_or_nothing"] = True
    spec["suites"] = [{"cases": cases, "scored": True, "setup": "", "teardown": "", "type": "doctest"}]
    return "OK_FORMAT = True\n\ntest = " + pprint.pformat(spec, indent=4, width=200, sort_dicts=False) + "\n"


# --------------------------------------------------------------------------- writers


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def _write_nb(path: Path, nb) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))


def student_readme(assignment: Assignment, pack: dict | None = None) -> str:
    cfg = assignment.config
    lines = [f"# {cfg.title} ({assignment.id})", ""]
    if cfg.deadline:
        lines += [f"Deadline: **{cfg.deadline.isoformat()}**", ""]
    pack = (pack or {}).get("file", "zoo-<sha>.tar.gz")
    lines += [
        f"Work in `{assignment.id}.ipynb`: replace each `...` with your answer.", "",
        "## Set up", "",
        "Once a term you need the course package and the course's model zoo: "
        "`genai_course_student-<version>-py3-none-any.whl` and "
        f"`{pack}` from the course page. Put both beside this folder (or in a `course-package/` folder "
        "there) and run the notebook's first cell: it installs what is missing and says `set-up OK` "
        "when your models are the ones this assignment was released on. Or, in a terminal:", "",
        "```", "pip install genai_course_student-<version>-py3-none-any.whl", f"course models install {pack}", "```", "",
        "## Check your work", "",
        'Run the `grader.check("q1")` cell after a question to run its public tests, or check',
        "the whole notebook from a terminal (it runs every cell, then every public test):", "",
        "```", f"course check {assignment.id}.ipynb", "```", "",
        "Public tests catch common mistakes only: hidden tests decide most of the grade, so a",
        "passing check does not promise full marks. Keep the `tests/` folder next to the notebook.",
        "", "## Submit", "",
        "Save the notebook, then make the submission file and upload it:", "",
        "```", f"course submit {assignment.id}.ipynb --student YOUR_ID", "```", "",
        "This writes `<assignment>_<student>_<time>.zip` (the notebook and a manifest with its",
        "checksum). Submit again to replace it: the latest submission counts.", "",
        "## Questions", "", "| question | points | graded |", "| --- | --- | --- |",
    ]
    for q in assignment.questions:
        lines.append(f"| {q.name} | {q.points} | {'by staff' if q.manual else 'autograded'} |")
    lines += ["", f"Total: {assignment.total_points} points."]
    lines += rubric_lines(assignment, model_answers=False)
    req = cfg.requires
    if req.models or req.data:
        lines += ["", "## What it needs", ""]
        if req.models:
            lines.append("Models (built locally by `course_lib`): " + ", ".join(f"`{m}`" for m in req.models))
        if req.data:
            lines.append("Data sets: " + ", ".join(f"`{d}`" for d in req.data))
    return "\n".join(lines) + "\n"


def rubric_lines(assignment: Assignment, model_answers: bool) -> list[str]:
    """The staff-graded questions' criteria, as Markdown: students read them in the README, staff
    in ``autograder/rubric.md`` with the model answer under each."""
    lines = []
    for q in assignment.questions:
        if not (q.manual and (q.rubric or model_answers)):
            continue
        if not lines:
            lines = ["", "## Graded by staff", ""] if not model_answers else \
                [f"# {assignment.config.title} ({assignment.id}): staff-graded questions", ""]
        lines += [f"### {q.name} ({q.points} points)", ""]
        lines += [f"- **{item['points']}** {item['criterion']}" for item in q.rubric] or ["- (no rubric)"]
        if model_answers:
            answer = "\n\n".join(c.source.strip() for c in q.solution_cells if c.kind == "markdown")
            lines += ["", answer or "(no model answer in the master notebook)"]
        lines.append("")
    return lines


def written_questions(assignment: Assignment) -> dict[str, dict]:
    """Each written (manual) question's points, rubric and model answer (Markdown; code fenced)."""
    out = {}
    for q in assignment.questions:
        if q.manual:
            answer = [c.source.strip() if c.kind == "markdown" else f"```python\n{c.source.strip()}\n```"
                      for c in q.solution_cells if c.source.strip()]
            out[q.name] = {"points": q.points, "rubric": q.rubric, "model_answer": "\n\n".join(answer)}
    return out


def write_student(assignment: Assignment, folder: Path, pack: dict | None = None) -> None:
    _write_nb(folder / f"{assignment.id}.ipynb", student_notebook(assignment))
    for q in assignment.questions:
        if not q.manual and q.public_tests:
            path = folder / "tests" / f"{q.name}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(ok_test_file(q, q.public_tests), encoding="utf-8")
    (folder / "README.md").write_text(student_readme(assignment, pack), encoding="utf-8")
    # public (hashes only): the set-up cell and `course check` compare the student's zoo with it
    _write_json(folder / ZOO_FINGERPRINT, release_fingerprint(assignment, pack))


def write_autograder(assignment: Assignment, folder: Path, pack: dict | None = None) -> None:
    _write_nb(folder / "solution.ipynb", solution_notebook(assignment))
    _write_json(folder / "tests.json", {
        "assignment": assignment.id,
        "tests": [t.to_json() for t in assignment.tests],
    })
    _write_json(folder / "questions.json", {
        "assignment": assignment.id,
        "total_points": assignment.total_points,
        "questions": [
            {**q.to_json(), "all_or_nothing": q.all_or_nothing, "tests": [t.name for t in q.tests],
             # what `forbid` checks (student/forbidden_calls.py): graders only, the names may be solution helpers'
             **({"forbid_in": q.solution_defines} if q.forbid else {})}
            for q in assignment.questions
        ],
    })
    shutil.copyfile(assignment.root / "assignment.toml", folder / "assignment.toml")
    staff = rubric_lines(assignment, model_answers=True)
    if staff:
        (folder / "rubric.md").write_text("\n".join(staff), encoding="utf-8")
    written = written_questions(assignment)
    if written:      # the TAs' written-answers page (course serve): the rubric and model answer beside each answer
        _write_json(folder / "written.json", {"assignment": assignment.id, "questions": written})
    # the zoo the reference is recorded on: grading on other weights is refused (grading/bundle.py, check_same_zoo)
    _write_json(folder / ZOO_FINGERPRINT, release_fingerprint(assignment, pack))


def release_fingerprint(assignment: Assignment, pack: dict | None = None) -> dict:
    """The zoo's hashes and data versions the assignment uses and, where ``course release
    --package`` made one, the pack that installs that zoo (``{"file", "sha256"}``)."""
    req = assignment.config.requires
    out = zoo.fingerprint(req.models, req.data)
    if pack and req.models:
        out["pack"] = pack
    return out


def write_manifest(assignment: Assignment, release_dir: Path, released_at: datetime) -> None:
    files = {}
    for path in sorted(release_dir.rglob("*")):
        rel = path.relative_to(release_dir).as_posix()
        if path.is_file() and rel != "autograder/manifest.json":
            files[rel] = sha256_bytes(path.read_bytes())
    _write_json(release_dir / "autograder" / "manifest.json", {
        "assignment": assignment.id,
        "title": assignment.config.title,
        "released_at": released_at.isoformat().replace("+00:00", "Z"),
        "source_notebook": assignment.notebook_path.name,
        "source_sha256": assignment.source_sha256,
        "tool_version": tool_version(),
        "total_points": assignment.total_points,
        "files": files,
    })


# --------------------------------------------------------------------------- leak scan


def secret_texts(assignment: Assignment) -> set[str]:
    """Lines only graders may see: solutions, hidden tests and their messages.

    Lines that also appear in student-facing parts of the master (question text, prompts,
    public tests, the stripped code) are not secrets, nor are trivial lines (``else:``).
    """
    secret: set[str] = set()
    public: set[str] = set()
    for c in assignment.cells:
        if c.role in ("marker", "ignored", "test"):
            continue
        lines = strip_ignored(c.source.split("\n"))
        if c.role == "solution" and c.kind != "code":
            secret.update(lines)
            continue
        if c.kind == "code":
            removed = removed_solution_text(lines)
            secret.update(removed)
            if not removed:  # not the stripped text: the scan must not trust what it checks
                public.update(l.strip() for l in lines)
        else:
            public.update(l.strip() for l in lines)
    for t in assignment.tests:
        lines = t.code.split("\n")
        (secret if t.hidden else public).update(lines)
        if t.hidden:
            secret.update(m for m in (t.failure_message, t.success_message) if m)
        else:
            public.update(m for m in (t.failure_message, t.success_message) if m)
    cleaned = {s.strip() for s in secret}
    # a solution line the question text itself quotes ("write `x = 3`") is no secret
    shown = "\n".join(public)
    return {s for s in cleaned if len(s) >= 6 and any(ch.isalnum() for ch in s) and s not in shown}


def _text_views(name: str, data: bytes) -> list[str]:
    """The texts a student could read in a file, decoded (JSON and repr escapes undone)."""
    views = [data.decode("utf-8", errors="replace")]
    if name.endswith(".zip"):
        import io

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in zf.infolist():
                    if not info.is_dir():
                        views += _text_views(info.filename, zf.read(info))
        except zipfile.BadZipFile:
            pass
        return views
    try:
        if name.endswith((".ipynb", ".json")):
            views.append(_all_strings(json.loads(data)))
        elif name.endswith(".py"):
            views.append(_all_strings(_python_literals(data.decode("utf-8"))))
    except (ValueError, SyntaxError):
        pass
    return views


def _python_literals(source: str) -> list:
    """Every constant in a Python file (so repr-escaped test code is scanned unescaped)."""
    return [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)]


def _all_strings(obj) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return "\n".join(_all_strings(k) + "\n" + _all_strings(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return "\n".join(_all_strings(v) for v in obj)
    return str(obj)


def find_leaks(assignment: Assignment, folder: Path) -> list[str]:
    """``file: text`` for every secret line found in a file under ``folder``."""
    secrets = secret_texts(assignment)
    hits = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        views = _text_views(path.name, path.read_bytes())
        for s in sorted(secrets):
            if any(s in v for v in views):
                hits.append(f"{path.relative_to(folder)}: {s}")
    return hits


# --------------------------------------------------------------------------- release


@dataclass
class ReleaseResult:
    assignment: Assignment
    folder: Path
    released_at: datetime


def release(assignment_dir: Path, out_root: Path, *, fmt: str = "otter", gradescope: bool = False,
            assignment: Assignment | None = None, pack: dict | None = None) -> ReleaseResult:
    """Release one assignment into ``out_root/<id>/``; nothing is written if anything fails."""
    assignment = assignment or load_assignment(assignment_dir)
    out_root = Path(out_root).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    final = out_root / assignment.id
    staging = out_root / f".{assignment.id}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    released_at = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        write_student(assignment, staging / "student", pack)
        write_autograder(assignment, staging / "autograder", pack)
        if fmt == "nbgrader":
            from autograder.release.targets.nbgrader import write_nbgrader_source

            write_nbgrader_source(assignment, staging / "nbgrader")
        elif fmt != "otter":
            raise ValueError(f"unknown release format {fmt!r}; use otter or nbgrader")
        after_release(assignment, staging / "autograder")
        if gradescope:       # carries the release's autograder folder, reference included
            from autograder.release.targets.gradescope import write_gradescope

            write_gradescope(assignment, staging / "autograder", staging / "gradescope")
        if fmt == "nbgrader":       # the reference its hidden tests replay, once it is recorded
            from autograder.release.targets.nbgrader import add_reference

            add_reference(staging / "nbgrader", assignment.id, staging / "autograder")
        leaks = find_leaks(assignment, staging / "student")
        if leaks:
            raise ReleaseError(
                f"{assignment.notebook_path}: the student version would contain solution or hidden-test "
                "text; release aborted, nothing written:\n  " + "\n  ".join(leaks[:20])
                + "\nMark those lines with # SOLUTION / BEGIN SOLUTION, or move them into a SOLUTION block."
            )
        write_manifest(assignment, staging, released_at)
        old = None
        if final.exists():
            old = out_root / f".{assignment.id}.old-{os.getpid()}"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
        os.replace(staging, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ReleaseResult(assignment, final, released_at)
