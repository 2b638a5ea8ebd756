"""``course check``: run a student's notebook and its public tests, on the student's machine.

The notebook's code cells run in this process (``autograder.isolation.execution``), with the cells that
only call ``grader.check(...)`` skipped; then each question's public tests run from the otter
OK files in ``tests/`` next to the notebook, through otter's own ``OKTestFile``, so the result
is the one ``grader.check`` gives inside Jupyter.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.errors import CourseError
from autograder.isolation.execution import CellOutcome, is_grader_call_cell, run_cells
from autograder.student.forbidden_calls import question_violations
from course_lib.student_setup import SetupError, is_setup_cell, ready


class CheckError(CourseError, ValueError):
    """A notebook ``course check`` cannot check: unreadable, no tests/ beside it, no such question."""


@dataclass
class QuestionCheck:
    name: str
    points: float | None
    status: str  # "passed" | "failed" | "manual" | "no public tests"
    passed: int = 0
    total: int = 0
    messages: list[str] = field(default_factory=list)  # one per failing test


@dataclass
class CheckReport:
    notebook: Path
    assignment: str | None
    cells: list[CellOutcome]
    questions: list[QuestionCheck]
    broken_rules: list[str] = field(default_factory=list)   # `forbid`: no hidden-test points while they stand

    @property
    def ok(self) -> bool:
        return all(q.status != "failed" for q in self.questions) and not self.broken_rules


@contextlib.contextmanager
def notebook_directory(folder: Path):
    """Run as Jupyter would: from the notebook's folder, with it importable."""
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


def _failure_line(message: str) -> str:
    """The first failing line and *its own* exception, from otter's doctest report.

    Otter's doctest runner goes on after a failure, so the report can hold several failed
    examples; each one's exception is the last line of its own block.
    """
    blocks = message.split("Failed example:")
    if len(blocks) < 2:
        lines = [l.strip() for l in message.split("\n") if l.strip()]
        return lines[-1] if lines else "failed"
    block = blocks[1].split("\n****")[0]          # up to the next example's separator
    lines = [l.strip() for l in block.split("\n") if l.strip()]
    if len(lines) < 2:
        return f"`{lines[0]}` failed" if lines else "failed"
    return f"`{lines[0]}` raised {lines[-1]}"


def run_public_tests(name: str, test_file: Path, namespace: dict, points=None) -> QuestionCheck:
    from otter.test_files import OKTestFile  # slow import: only when tests run

    try:
        test = OKTestFile.from_file(str(test_file))
        test.run(namespace)
    except Exception as exc:  # noqa: BLE001 - a broken test file is reported, not raised
        return QuestionCheck(name, points, "failed", messages=[f"{test_file.name} could not run: {exc}"])
    results = test.test_case_results
    passed = sum(r.passed for r in results)
    messages = [
        f"{r.test_case.name}: {r.test_case.failure_message or _failure_line(r.message)}"
        for r in results if not r.passed
    ]
    status = "passed" if passed == len(results) else "failed"
    return QuestionCheck(name, points, status, passed, len(results), messages)


def check_notebook(path: Path, question: str | None = None,
                   cell_timeout_s: float | None = None) -> CheckReport:
    path = Path(path).resolve()
    try:
        data = path.read_bytes()          # read once: the cells to run and the code the rules read
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # noqa: BLE001
        raise CheckError(f"{path}: not a readable notebook ({exc})") from None
    meta = nb.metadata.get("course", {})
    numbers, sources = [], []
    for n, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "code" and not is_grader_call_cell(cell.source) and not is_setup_cell(cell.source):
            numbers.append(n)
            sources.append(cell.source)

    tests_dir = path.parent / "tests"
    listed = meta.get("questions") or [
        {"name": p.stem, "points": None, "manual": False} for p in sorted(tests_dir.glob("*.py"))
    ]
    if not tests_dir.is_dir() and any(not q.get("manual") for q in listed) or not listed:
        raise CheckError(f"{path}: no tests/ folder next to it; run `course check` on the released "
                         "notebook in the folder it came in (with its tests/)")
    if question is not None and question not in {q["name"] for q in listed}:
        known = ", ".join(q["name"] for q in listed) or "none"
        raise CheckError(f"{path}: no question {question!r} (questions: {known})")

    try:        # the zoo the release was recorded on (installing its pack where one is found), as the set-up cell does
        ready(path.parent, log=lambda m: print(m, file=sys.stderr))
    except SetupError as e:
        raise CheckError(f"{path}: {e}") from None
    os.environ.setdefault("MPLBACKEND", "Agg")  # plots must not open windows
    namespace: dict = {}
    results = []
    with notebook_directory(path.parent):
        cells = run_cells(sources, namespace, cell_timeout_s, cell_numbers=numbers)
        for q in listed:
            if question is not None and q["name"] != question:
                continue
            if q.get("manual"):
                results.append(QuestionCheck(q["name"], q.get("points"), "manual"))
                continue
            test_file = tests_dir / f"{q['name']}.py"
            if not test_file.is_file():
                results.append(QuestionCheck(q["name"], q.get("points"), "no public tests"))
                continue
            results.append(run_public_tests(q["name"], test_file, namespace, q.get("points")))
    # what the grader will refuse (forbidden calls), from the code itself, as the grader reads it
    checked = [q for q in listed if question is None or q["name"] == question]
    broken = question_violations(data, checked)
    return CheckReport(path, meta.get("assignment"), cells, results, [broken[q["name"]] for q in checked
                                                                     if q["name"] in broken])


def format_report(report: CheckReport) -> str:
    out = [f"{report.notebook.name}" + (f" (assignment {report.assignment})" if report.assignment else "")]
    failed_cells = [c for c in report.cells if c.status != "ok"]
    if failed_cells:
        out.append("")
        out.append("Cells that failed (later cells and tests may fail because of them):")
        for c in failed_cells:
            last = (c.error or "").strip().split("\n")[-1]
            out.append(f"  cell {c.index}: {c.status}: {last}")
    rows = [("question", "points", "public tests", "result")]
    for q in report.questions:
        pts = "" if q.points is None else f"{q.points:g}"
        tests = f"{q.passed}/{q.total} passed" if q.total else "-"
        result = {"manual": "graded by staff", "no public tests": "no public tests (hidden only)"}.get(
            q.status, q.status.upper() if q.status == "failed" else q.status)
        rows.append((q.name, pts, tests, result))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out.append("")
    for i, row in enumerate(rows):
        out.append("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    messages = [(q.name, m) for q in report.questions for m in q.messages]
    if messages:
        out.append("")
        out.append("Failing public tests:")
        out += [f"  {m}" for _, m in messages]
    if report.broken_rules:
        out.append("")
        out.append("Rules the grader enforces (hidden tests give these questions no points):")
        out += [f"  {m}" for m in report.broken_rules]
    out.append("")
    out.append("All public tests pass. Hidden tests are run when your submission is graded."
               if report.ok else "Some public tests fail or a rule is broken: fix them before you submit.")
    return "\n".join(out)
