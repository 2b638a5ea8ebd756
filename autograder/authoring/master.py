r'''The assignment authoring format: parse and validate ``assignments/<id>/``.

An assignment is a folder ``assignments/<id>/`` holding

* ``<id>.ipynb``, the master notebook: the whole assignment with solutions, public tests
  and hidden tests, written in otter-grader's "assign format v1";
* ``assignment.toml``: title, deadline, resource limits, late policy, required models/data.

Master notebook
===============

Structure is marked with **raw** cells whose first line is a marker (a Markdown cell holding
only a fenced block ```` ```otter ... ``` ```` counts as a raw cell, as in otter)::

    # ASSIGNMENT CONFIG        optional, outside questions; YAML for otter (used by --gradescope)

    # BEGIN QUESTION           YAML below the marker:
    name: q1                     name    (required; letters, digits, _ . -; unique)
    points: 2                    points  (a number split evenly over the question's tests, a list
                                          with one value per test, or {each: n}; omitted, otter's
                                          default: the tests' own points, else 1 split evenly)
    manual: false                manual  (graded by staff; no tests allowed)
    rubric:                      rubric  (manual questions: the criteria staff grade by, shown to
      - points: 1                         students in the README and to staff in rubric.md;
        criterion: cites ...              their points add up to the question's)
    forbid: [generate]           forbid  (autograded questions: names the functions and classes the
                                          question's solution cells define must not use, e.g. a
                                          decoding loop graded *against* ``model.generate``; see below)
                                 all_or_nothing, check_cell, export: as in otter
      ... question text (Markdown and setup code, locked in the student version) ...
      # BEGIN PROMPT / # END PROMPT      cells shown to students instead of the solution
      # BEGIN SOLUTION / # END SOLUTION  solution cells
      # BEGIN TESTS / # END TESTS        test cells (code only)
    # END QUESTION

Inside code cells, solutions are marked line by line, exactly as otter does; in the student
version

* ``x = compute() # SOLUTION`` becomes ``x = ...``; any other line containing ``# SOLUTION``
  becomes ``...`` (at the same indentation);
* ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` comment lines enclose a block replaced by one
  ``...`` line (``# BEGIN SOLUTION NO PROMPT`` removes the block without a ``...``);
* lines ending in ``# SOLUTION NO PROMPT``, ``# SEED``, ``# BEGIN PROMPT``, ``# END PROMPT``
  are removed (so ``""" # BEGIN PROMPT`` ... ``""" # END PROMPT`` shows its body to students);
* lines ending in ``# IGNORE`` and ``# BEGIN IGNORE`` ... ``# END IGNORE`` blocks are removed
  from every version; a cell whose first line is ``# IGNORE`` is dropped entirely.

Unlike otter's default, solution markers are honoured in *every* code cell, not only in
SOLUTION blocks, so a stray ``# SOLUTION`` line can never ship; and a code cell in a SOLUTION
block must contain markers (otter would ship an unmarked one unchanged). Markdown cells in a
SOLUTION block are removed; a manual question without a PROMPT gets a response cell instead.

Test cells are plain Python run with the student's notebook globals visible; a test passes when
it raises nothing. A test cell may start with a config header::

    """ # BEGIN TEST CONFIG
    hidden: true               hidden tests run only at grading time, in a trusted process
    points: 1                  this test's share of the question's points
    success_message: Well done
    failure_message: Check the shape of your output
    """ # END TEST CONFIG

(or, as in otter, a first-line comment containing the word ``hidden``). Hidden tests may use
``ref.<name>(...)`` to get the reference solution's value and should compare with
``course_lib.testing.assert_close``. Public tests run in the student's kernel, where no
reference exists, so they must not use ``ref``. Public tests are also shipped as otter
OK-format doctests, so a top-level call in a test must return ``None`` (as ``assert_close`` and
``np.testing.assert_allclose`` do).

otter's own kind of test cell, bare expressions (``square(3) == 9``) whose output the author's
run saved in the master (``True``), is accepted as otter reads it: a test cell with saved
outputs is a doctest of its lines against those outputs (``course_lib.testing.assert_doctest``
runs it in the grading process, with the same text comparison otter uses). A bare expression
in a cell with no saved output is rejected: as plain Python it would check nothing.

Forbidden names: ``forbid`` lists Python identifiers. At grading, the grader (never the student's
process) parses the submission's code cells and looks at the student's definitions of every
function or class the question's solution cells define (``def``/``class`` at the top of a
cell), and at every notebook-level function, class or variable they use by name, transitively.
A forbidden name used there as an attribute (``model.generate``, ``self.model.generate``), a bare
name, an import or a string constant (``getattr(model, "generate")``) fails every hidden test of
the question with a message naming the function, cell and line; public tests run as usual.
Comments and docstrings do not count. The question text should say so in its **Graded:** part.
Only ``course grade`` / ``validate`` enforce it (``autograder/student/forbidden_calls.py``), not
the nbgrader or Gradescope targets; ``course check`` warns the student, on the functions the
student version of the question defines (its stubs).

Points: a question's ``points`` number is the question total; tests with their own
``points`` keep them and the rest is split evenly over the others (otter's rule; if every
test has points, they must add up to the total). A list gives each test's points in order.

assignment.toml
===============
::

    title = "Prompt engineering"
    deadline = 2025-10-01T23:59:00+02:00      # ISO 8601 with a timezone (string or TOML datetime)
    points = 10                                # optional: checked against the notebook's total

    [limits]                                   # per submission, for the grading backends
    time_s = 1800
    memory_mb = 4096
    pids = 256
    cpus = 2
    cell_timeout_s = 600

    [late]
    policy = "per_day"                         # "none" (no penalty) | "per_day" | "cutoff"
    percent_per_day = 10                       # per_day: lost per started day late
    max_days = 5                               # per_day: later than this scores 0 (optional)
    # cutoff = 2025-10-03T23:59:00+02:00       # cutoff: full marks until then, 0 after

    [requires]
    models = ["tiny-t5"]                       # course_lib model zoo names
    data = ["dialogsum"]

Every malformed input raises :class:`AssignmentFormatError`, whose message names the file,
the cell (1-based, with its first line) and what to do.
'''

from __future__ import annotations

import ast
import copy
import hashlib
import json
import keyword
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from autograder.authoring.config import AssignmentConfig, AssignmentFormatError, load_config

CellRole = Literal["text", "solution", "prompt", "test", "marker", "ignored"]

QUESTION_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
# the cell a student writes a written answer in, when the question has no PROMPT of its own
RESPONSE_CELL = "_Type your answer here, replacing this text._"
QUESTION_KEYS = {"name", "points", "manual", "all_or_nothing", "check_cell", "export", "rubric", "forbid"}
# otter's test-config keys; otter also reads past any other key, and notebooks written for it name tests
TEST_CONFIG_KEYS = {"hidden", "points", "success_message", "failure_message", "name"}

# otter's own regexes: they define the format
BEGIN_TEST_CONFIG_RE = re.compile(r'(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.I)
END_TEST_CONFIG_RE = re.compile(r'""?"?\s*#\s*END\s*TEST\s*CONFIG', re.I)
# otter drops any cell whose first line merely starts with "# ignore" (a heading "# Ignoring
# padding" too); we drop only cells whose first line is the marker alone
IGNORE_CELL_RE = re.compile(r"\s*(##\s*ignore\s*##|#\s*ignore)\s*$", re.I)
ASSIGNMENT_CONFIG_RE = re.compile(r"#\s+assignment\s+config\s*", re.I)
BOUNDARY_RE = re.compile(r"#\s+(begin|end)\s+(question|prompt|solution|tests)\s*", re.I)
# the same markers typed into a code/Markdown cell by mistake (upper case, whole line)
MISPLACED_MARKER_RE = re.compile(
    r"^\s*#\s+(BEGIN|END)\s+(QUESTION|TESTS)\s*$|^\s*#\s+ASSIGNMENT\s+CONFIG\s*$"
)
HIDDEN_COMMENT_RE = re.compile(r"^\s*#\s*hidden\s*$", re.I)

SOLUTION_ASSIGNMENT_RE = re.compile(
    r"(\s*(?:[\w.]+(?=[^\w.])(?:\[['\"]?.*['\"]?\])*(?:,\s*)?)+\s*=).* ?# ?SOLUTION"
)
SOLUTION_LINE_RE = re.compile(r"(\s*).* ?# ?SOLUTION")
BEGIN_SOLUTION_RE = re.compile(r"(\s*)# BEGIN SOLUTION( NO PROMPT)?")
SOLUTION_MARK_RE = re.compile(r"# ?SOLUTION")
STUDENT_SKIP_SUFFIXES = ("# SOLUTION NO PROMPT", "# BEGIN PROMPT", "# END PROMPT", "# SEED")
BEGIN_IGNORE_RE = re.compile(r"\s*#\s*BEGIN\s*IGNORE\s*", re.I)
BLOCK_PROMPT = "..."


# --------------------------------------------------------------------------- model


@dataclass
class Cell:
    """One cell of the master notebook and the part it plays."""

    index: int  # 1-based position in the master notebook
    kind: str  # "code" | "markdown" | "raw"
    source: str
    role: CellRole
    question: str | None = None
    metadata: dict = field(default_factory=dict, repr=False)
    attachments: dict | None = field(default=None, repr=False)
    outputs: list = field(default_factory=list, repr=False)   # as saved in the master (otter-style tests)

    @property
    def first_line(self) -> str:
        return first_line(self.source)


@dataclass
class Test:
    name: str  # "<question> - <n>", n counting all of the question's tests from 1 (as otter)
    question: str
    code: str  # the test's Python, config header removed
    hidden: bool
    points: float
    success_message: str | None = None
    failure_message: str | None = None
    uses_ref: bool = False
    cell_index: int = 0
    doctest: str | None = None   # an otter-style test: its examples and the output they must print

    def to_json(self) -> dict:
        return {
            "name": self.name, "question": self.question, "points": self.points,
            "hidden": self.hidden, "success_message": self.success_message,
            "failure_message": self.failure_message, "uses_ref": self.uses_ref,
            "cell": self.cell_index, "code": self.code,
        }


@dataclass
class Question:
    name: str
    points: float
    manual: bool
    tests: list[Test]
    cells: list[Cell] = field(repr=False)  # every content cell of the question, in order
    all_or_nothing: bool = False
    check_cell: bool = True
    begin_cell: int = 0
    rubric: list[dict] = field(default_factory=list)   # manual questions: [{"points", "criterion"}]
    forbid: list[str] = field(default_factory=list)    # names the question's functions must not use

    @property
    def prompt_cells(self) -> list[Cell]:
        """What students read and answer in: the question text and the PROMPT blocks."""
        return [c for c in self.cells if c.role in ("text", "prompt")]

    @property
    def solution_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.role == "solution"]

    @property
    def solution_defines(self) -> list[str]:
        """The functions and classes the solution cells define at top level: what ``forbid`` checks."""
        return self._defines(solution_source)

    @property
    def student_defines(self) -> list[str]:
        """The functions and classes the student version of the solution cells defines (the stubs
        students fill in): what ``course check`` checks ``forbid`` on, before submission."""
        return self._defines(student_source)

    def _defines(self, version) -> list[str]:
        names: list[str] = []
        for c in self.solution_cells:
            if c.kind == "code":
                names += [n for n in top_level_definitions(version(c.source)) if n not in names]
        return names

    @property
    def public_tests(self) -> list[Test]:
        return [t for t in self.tests if not t.hidden]

    @property
    def hidden_tests(self) -> list[Test]:
        return [t for t in self.tests if t.hidden]

    def to_json(self) -> dict:
        out = {"name": self.name, "points": self.points, "manual": self.manual}
        if self.rubric:
            out["rubric"] = self.rubric
        if self.forbid:
            out["forbid"] = self.forbid
        return out


@dataclass
class Assignment:
    id: str
    root: Path
    notebook_path: Path
    config: AssignmentConfig
    questions: list[Question]
    cells: list[Cell]
    otter_config: dict = field(default_factory=dict)
    notebook_metadata: dict = field(default_factory=dict, repr=False)
    source_sha256: str = ""

    @property
    def total_points(self) -> float:
        return _tidy(sum(q.points for q in self.questions))

    @property
    def tests(self) -> list[Test]:
        return [t for q in self.questions for t in q.tests]

    def question(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(name)


# --------------------------------------------------------------------------- line transforms


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def to_doctest(code: str) -> str:
    """A test's Python as an otter OK doctest (otter's ``str_to_doctest`` on ``ast.unparse``).

    No expected output follows the examples, so a test passes when it raises nothing and
    prints nothing, as when it runs as plain Python.
    """
    lines = [l for l in ast.unparse(ast.parse(code)).split("\n") if l.strip()]
    out: list[str] = []
    last_top = ""
    for line in lines:
        top = not line.startswith((" ", "\t"))
        continuation = (
            not top
            or re.match(r"(elif\b|else\s*:|except\b|finally\s*:)", line) is not None
            or (out and out[-1].rstrip().endswith("\\"))
            or last_top.startswith("@")  # the def/class under a decorator
        )
        if top:
            last_top = line
        out.append(("... " if continuation else ">>> ") + line)
    return "\n".join(out) + "\n"


def otter_output(outputs: list) -> str:
    """A test cell's saved output as otter reads it: stream text, then each result's ``text/plain``."""
    text = ""
    for o in outputs:
        text += "".join(o.get("text", ""))
        plain = (o.get("data") or {}).get("text/plain")
        text += "".join(plain) if isinstance(plain, list) else (plain or "")
    return text


def check_inline_markers(lines: list[str]) -> None:
    """Raise ValueError for unbalanced in-cell SOLUTION / PROMPT / IGNORE comment blocks."""
    open_: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        text = line.rstrip()
        if BEGIN_SOLUTION_RE.match(line):
            kind = "SOLUTION"
        elif text.endswith("# BEGIN PROMPT"):
            kind = "PROMPT"
        elif BEGIN_IGNORE_RE.match(line):
            kind = "IGNORE"
        else:
            kind = None
        if kind:
            if open_:
                other, at = next(iter(open_.items()))
                raise ValueError(
                    f"line {n} opens `# BEGIN {kind}` inside the `# BEGIN {other}` of line {at}; "
                    f"close it with `# END {other}` first"
                )
            open_[kind] = n
            continue
        for kind in ("SOLUTION", "PROMPT", "IGNORE"):
            if text.endswith(f"# END {kind}"):
                if kind not in open_:
                    raise ValueError(f"line {n} has `# END {kind}` without a `# BEGIN {kind}` before it")
                del open_[kind]
    if open_:
        kind, at = next(iter(open_.items()))
        raise ValueError(f"line {at} opens `# BEGIN {kind}` that is never closed; add `# END {kind}`")


def strip_solutions(lines: list[str]) -> list[str]:
    """The student version of a code cell's lines (otter's ``replace_solutions`` rules)."""
    out: list[str] = []
    in_solution = False
    for line in lines:
        text = line.rstrip()
        if any(text.endswith(s) for s in STUDENT_SKIP_SUFFIXES):
            continue
        if text.endswith("# END SOLUTION"):
            in_solution = False
            continue
        if in_solution:
            continue
        begin = BEGIN_SOLUTION_RE.match(line)
        if begin:
            in_solution = True
            if begin.group(2):  # NO PROMPT
                continue
            line = begin.group(1) + BLOCK_PROMPT
        m = SOLUTION_ASSIGNMENT_RE.match(line)
        if m:
            line = m.group(1) + " " + BLOCK_PROMPT
        else:
            m = SOLUTION_LINE_RE.match(line)
            if m:
                line = m.group(1) + BLOCK_PROMPT
        out.append(line)
    return out


def removed_solution_text(lines: list[str]) -> list[str]:
    """What :func:`strip_solutions` takes out of a cell: the text students must not see."""
    removed: list[str] = []
    in_solution = False
    for line in lines:
        text = line.rstrip()
        if text.endswith("# SOLUTION NO PROMPT"):
            removed.append(text[: -len("# SOLUTION NO PROMPT")])
            continue
        if any(text.endswith(s) for s in STUDENT_SKIP_SUFFIXES):
            continue
        if text.endswith("# END SOLUTION"):
            in_solution = False
        elif in_solution:
            removed.append(line)
        elif BEGIN_SOLUTION_RE.match(line):
            in_solution = True
        elif m := SOLUTION_ASSIGNMENT_RE.match(line):
            removed.append(SOLUTION_MARK_RE.split(line[len(m.group(1)):])[0])
        elif SOLUTION_LINE_RE.match(line):
            removed.append(SOLUTION_MARK_RE.split(line)[0])
    return removed


def strip_ignored(lines: list[str]) -> list[str]:
    """Remove ``# IGNORE`` lines and ``# BEGIN IGNORE`` ... ``# END IGNORE`` blocks."""
    out, in_block = [], False
    for line in lines:
        text = line.rstrip()
        if text.endswith("# IGNORE"):
            continue
        if text.endswith("# END IGNORE"):
            in_block = False
            continue
        if in_block:
            continue
        if BEGIN_IGNORE_RE.match(line):
            in_block = True
            continue
        out.append(line)
    return out


def top_level_definitions(source: str) -> list[str]:
    """The names of the ``def``/``class`` statements at the top of a code cell (none if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def student_source(source: str) -> str:
    return "\n".join(strip_solutions(strip_ignored(source.split("\n"))))


def solution_source(source: str) -> str:
    return "\n".join(strip_ignored(source.split("\n")))


def _tidy(x: float) -> float:
    """5-digit rounding (as otter), and ints stay ints so totals print as 10, not 10.0."""
    x = round(float(x), 5)
    return int(x) if x.is_integer() else x


# --------------------------------------------------------------------------- parser


def _cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _unfence(kind: str, source: str) -> tuple[str, str, bool]:
    """A Markdown cell that is one ```otter fenced block is a raw cell, as in otter."""
    if kind != "markdown":
        return kind, source, False
    lines = source.strip("\n").split("\n")
    if lines and lines[0].strip() == "```otter":
        if len(lines) >= 2 and lines[-1].strip() == "```" and all(l.strip() != "```" for l in lines[1:-1]):
            return "raw", "\n".join(lines[1:-1]), False
        return kind, source, True  # a partial fence we do not support
    return kind, source, False


class _Parser:
    def __init__(self, path: Path):
        self.path = path

    def error(self, cell: Cell | None, problem: str, fix: str = "") -> AssignmentFormatError:
        where = f"{self.path}"
        if cell is not None:
            where += f", cell {cell.index} ({cell.first_line[:60]!r})"
        return AssignmentFormatError(f"{where}: {problem}" + (f". {fix}" if fix else ""))

    def yaml(self, cell: Cell, text: str, what: str) -> Any:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problem = str(exc).replace("\n", " ")
            raise self.error(cell, f"the {what} is not valid YAML ({problem})",
                             "Fix the YAML below the marker line") from None

    def parse(self, nb: dict) -> tuple[list[Cell], list[Question], dict]:
        cells: list[Cell] = []
        questions: list[Question] = []
        otter_config: dict = {}
        q: dict | None = None  # the open question: config, cells, tests, begin cell
        block: tuple[str, Cell] | None = None  # the open prompt/solution/tests block

        for i, raw in enumerate(nb.get("cells", []), 1):
            kind = raw.get("cell_type", "code")
            kind, source, partial_fence = _unfence(kind, _cell_source(raw))
            cell = Cell(i, kind, source, "text", metadata=copy.deepcopy(raw.get("metadata", {})),
                        attachments=copy.deepcopy(raw.get("attachments")), outputs=list(raw.get("outputs") or []))
            cells.append(cell)
            if partial_fence:
                raise self.error(cell, "a ```otter block must be the whole Markdown cell",
                                 "Move the block into its own cell")
            lines = source.split("\n")
            head = lines[0] if lines else ""

            if IGNORE_CELL_RE.match(head):
                cell.role = "ignored"
                continue

            if kind == "raw" and ASSIGNMENT_CONFIG_RE.match(head):
                cell.role = "marker"
                if q is not None:
                    raise self.error(cell, f"ASSIGNMENT CONFIG inside question {q['name']!r}",
                                     "Move it before the first question")
                config = self.yaml(cell, "\n".join(lines[1:]), "assignment config")
                if config is not None and not isinstance(config, dict):
                    raise self.error(cell, "the assignment config must be a YAML mapping")
                otter_config.update(config or {})
                continue

            boundary = BOUNDARY_RE.match(head) if kind == "raw" else None
            lone_marker = len(source.strip().split("\n")) == 1 and BOUNDARY_RE.fullmatch(source.strip())
            if boundary is None and kind in ("code", "markdown") and (MISPLACED_MARKER_RE.match(head) or lone_marker):
                raise self.error(cell, f"the marker is in a {kind} cell",
                                 "Marker cells must be raw cells (in Jupyter: Cell > Cell Type > Raw)")

            if boundary:
                cell.role = "marker"
                begin = boundary.group(1).lower() == "begin"
                what = boundary.group(2).lower()
                if not begin:
                    if block is not None and block[0] == what:
                        block = None
                    elif what == "question" and q is not None and block is None:
                        questions.append(self.finish_question(q))
                        q = None
                    elif block is not None:
                        raise self.error(cell, f"END {what.upper()} while the BEGIN {block[0].upper()} "
                                         f"of cell {block[1].index} is still open",
                                         f"Add an `# END {block[0].upper()}` raw cell before this one")
                    else:
                        raise self.error(cell, f"END {what.upper()} without a BEGIN {what.upper()} before it",
                                         "Remove it or add the missing BEGIN cell")
                    continue
                if what == "question":
                    if q is not None:
                        raise self.error(cell, f"BEGIN QUESTION inside question {q['name']!r} "
                                         f"(cell {q['begin'].index})",
                                         "Close the previous question with an `# END QUESTION` raw cell")
                    q = self.begin_question(cell, "\n".join(lines[1:]), {x.name for x in questions})
                    cell.question = q["name"]
                    continue
                if q is None:
                    hint = ("test cells outside a question" if what == "tests"
                            else f"a {what} block outside a question")
                    raise self.error(cell, f"BEGIN {what.upper()} outside a question: {hint}",
                                     "Put it between `# BEGIN QUESTION` and `# END QUESTION` raw cells")
                if block is not None:
                    raise self.error(cell, f"BEGIN {what.upper()} inside the BEGIN {block[0].upper()} "
                                     f"of cell {block[1].index}",
                                     f"Close it with an `# END {block[0].upper()}` raw cell first")
                cell.question = q["name"]
                block = (what, cell)
                continue

            # a content cell
            cell.question = q["name"] if q else None
            if q is not None:
                q["cells"].append(cell)
            if block is not None and block[0] == "tests":
                cell.role = "test"
                if kind != "code":
                    raise self.error(cell, f"a {kind} cell inside a TESTS block",
                                     "Only code cells may be tests; move this cell out of the block")
                q["tests"].append(self.parse_test(cell, q["name"], len(q["tests"]) + 1))
                continue
            if block is not None:
                cell.role = block[0]  # "solution" | "prompt"
            if kind == "code":
                self.check_code_cell(cell, lines, q)
                if cell.role == "solution" and not removed_solution_text(lines):
                    raise self.error(cell, "this solution cell has no solution markers, so students "
                                     "would get it unchanged",
                                     "End solution lines with `# SOLUTION`, or wrap the solution in "
                                     "`# BEGIN SOLUTION` / `# END SOLUTION` comment lines")

        if block is not None:
            raise self.error(block[1], f"BEGIN {block[0].upper()} is never closed",
                             f"Add an `# END {block[0].upper()}` raw cell after the block")
        if q is not None:
            raise self.error(q["begin"], f"question {q['name']!r} is never closed",
                             "Add an `# END QUESTION` raw cell after its last cell")
        return cells, questions, otter_config

    def check_code_cell(self, cell: Cell, lines: list[str], q: dict | None) -> None:
        head = lines[0]
        if BEGIN_TEST_CONFIG_RE.match(head) or HIDDEN_COMMENT_RE.match(head):
            where = f"inside question {q['name']!r} but not in its TESTS block" if q else "outside a question"
            kind = "hidden test" if HIDDEN_COMMENT_RE.match(head) or re.search(r"hidden\s*:\s*true", cell.source, re.I) else "test"
            raise self.error(cell, f"this looks like a {kind} but is {where}, so it would be shipped "
                             "to students as ordinary code",
                             "Move it between `# BEGIN TESTS` and `# END TESTS` raw cells of its question")
        try:
            check_inline_markers(lines)
        except ValueError as exc:
            raise self.error(cell, str(exc)) from None

    def begin_question(self, cell: Cell, text: str, taken: set[str]) -> dict:
        config = self.yaml(cell, text, "question config")
        if not isinstance(config, dict):
            raise self.error(cell, "BEGIN QUESTION needs a YAML mapping below it",
                             "Write e.g. `name: q1` and `points: 2` on the lines after the marker")
        unknown = sorted(set(config) - QUESTION_KEYS)
        if unknown:
            raise self.error(cell, f"unknown question key {unknown[0]!r}", f"Known keys: {', '.join(sorted(QUESTION_KEYS))}")
        name = config.get("name")
        if not isinstance(name, str) or not QUESTION_NAME_RE.match(name):
            raise self.error(cell, f"the question name {name!r} is missing or invalid",
                             "Use `name: q1` (letters, digits, _ . -)")
        if name in taken:
            raise self.error(cell, f"duplicate question name {name!r}", "Give every question its own name")
        for key in ("manual", "all_or_nothing", "check_cell", "export"):
            if key in config and not isinstance(config[key], bool):
                raise self.error(cell, f"`{key}` must be true or false, not {config[key]!r}")
        manual = config.get("manual", False)
        points = config.get("points")
        if points is None and manual:
            raise self.error(cell, f"manual question {name!r} has no points",
                             "Add `points: <number>`: staff grade it out of that")
        if points is not None and not _is_points(points):
            raise self.error(cell, f"`points` of question {name!r} must be a non-negative number, "
                             f"a list of them or {{each: <number>}}, not {points!r}")
        if manual and isinstance(points, (list, dict)):
            raise self.error(cell, f"manual question {name!r} needs a single number of points")
        if "rubric" in config:
            config["rubric"] = self.rubric(cell, name, config["rubric"], manual, points)
        if "forbid" in config:
            config["forbid"] = self.forbid(cell, name, config["forbid"], manual)
        return {"name": name, "config": config, "begin": cell, "cells": [], "tests": []}

    def parse_test(self, cell: Cell, question: str, n: int) -> Test:
        lines = cell.source.split("\n")
        config: dict = {}
        start = 0
        hidden = bool(lines[0].lstrip().startswith("#") and re.search(r"\bhidden\b", lines[0], re.I))
        if BEGIN_TEST_CONFIG_RE.match(lines[0]):
            end = next((j for j, l in enumerate(lines) if j > 0 and END_TEST_CONFIG_RE.match(l)), None)
            if end is None:
                raise self.error(cell, "BEGIN TEST CONFIG is never closed",
                                 'End the header with a `""" # END TEST CONFIG` line')
            config = self.yaml(cell, "\n".join(lines[1:end]), "test config") or {}
            if not isinstance(config, dict):
                raise self.error(cell, "the test config must be a YAML mapping")
            unknown = sorted(set(config) - TEST_CONFIG_KEYS)
            if unknown:
                raise self.error(cell, f"unknown test config key {unknown[0]!r}",
                                 f"Known keys: {', '.join(sorted(TEST_CONFIG_KEYS))}")
            start = end + 1
        elif hidden:
            start = 1  # otter drops the `# HIDDEN` comment line
        hidden = config.get("hidden", hidden)
        if not isinstance(hidden, bool):
            raise self.error(cell, f"`hidden` must be true or false, not {hidden!r}")
        points = config.get("points")
        if points is not None and (not _is_number(points) or points < 0):
            raise self.error(cell, f"test `points` must be a non-negative number, not {points!r}")
        for key in ("success_message", "failure_message"):
            if config.get(key) is not None and not isinstance(config[key], str):
                raise self.error(cell, f"`{key}` must be a string")

        code = "\n".join(lines[start:]).strip("\n")
        try:
            tree = ast.parse(code, filename=f"<test cell {cell.index}>")
        except SyntaxError as exc:
            raise self.error(cell, f"the test is not valid Python (line {(exc.lineno or 0) + start}: {exc.msg})") from None
        if not tree.body:
            raise self.error(cell, "the test cell has no code", "Write assertions, or delete the cell")
        doctest = None
        bare = [s for s in tree.body if isinstance(s, ast.Expr) and not isinstance(s.value, (ast.Call, ast.Await, ast.Constant))]
        expected = otter_output(cell.outputs)
        if expected.strip():
            # otter's test: the cell's examples must print what they printed when the author ran
            # the master notebook (its saved outputs), compared as doctest compares them
            doctest = to_doctest(code) + expected
            code = f"assert_doctest({doctest!r}, {f'{question} - {n}'!r})"
        elif bare:   # as plain Python it would check nothing
            raise self.error(cell, f"line {bare[0].lineno + start} is a bare expression: otter compares it with "
                             "the output saved in the master notebook, and this cell has none",
                             "Run the master notebook and save it with its outputs, or write "
                             "`assert <expression>` instead")
        uses_ref = _uses_name(tree, "ref")
        if uses_ref and not hidden:
            raise self.error(cell, "a public test uses `ref`; public tests run in the student's kernel, "
                             "where the reference solution does not exist",
                             "Make it hidden (`hidden: true` in its TEST CONFIG) or compare with a literal")
        if not hidden and _uses_name(tree, "feedback"):
            raise self.error(cell, "a public test uses `feedback`; public tests also run in the student's kernel, "
                             "where there is no report to write to", "Make it hidden (`hidden: true` in its TEST CONFIG)")
        return Test(
            name=f"{question} - {n}", question=question, code=code, hidden=hidden,
            points=points, success_message=config.get("success_message"),
            failure_message=config.get("failure_message"), uses_ref=uses_ref, cell_index=cell.index,
            doctest=doctest,
        )

    def forbid(self, cell: Cell, name: str, forbid, manual: bool) -> list[str]:
        """A question's forbidden names: a non-empty list of Python identifiers, autograded questions only."""
        if manual:
            raise self.error(cell, f"question {name!r} forbids names but is graded by staff",
                             "`forbid` takes hidden-test points away, so it is for autograded questions: "
                             "remove it or `manual: true`")
        hint = "Write e.g. `forbid: [generate]` (a list of Python names, such as methods the answer must not call)"
        if not isinstance(forbid, list) or not forbid:
            raise self.error(cell, f"`forbid` of question {name!r} must be a list of names, not {forbid!r}", hint)
        bad = [x for x in forbid if not (isinstance(x, str) and x.isidentifier() and not keyword.iskeyword(x))]
        if bad:
            raise self.error(cell, f"`forbid` of question {name!r} holds {bad[0]!r}, which is not a Python name", hint)
        return list(dict.fromkeys(forbid))

    def rubric(self, cell: Cell, name: str, rubric, manual: bool, points) -> list[dict]:
        """A manual question's criteria: ``- points: 1`` / ``criterion: ...`` items adding up to its points."""
        if not manual:
            raise self.error(cell, f"question {name!r} has a rubric but is autograded",
                             "A rubric is for staff-graded questions: add `manual: true`, or remove it")
        hint = "Write e.g. `rubric:` then lines `- points: 1` / `  criterion: names the trade-off`"
        if not isinstance(rubric, list) or not rubric:
            raise self.error(cell, f"the rubric of {name!r} must be a list of criteria", hint)
        items = []
        for item in rubric:
            if not (isinstance(item, dict) and set(item) == {"points", "criterion"} and _is_points(item["points"])
                    and not isinstance(item["points"], list) and isinstance(item["criterion"], str)
                    and item["criterion"].strip()):
                raise self.error(cell, f"a rubric item of {name!r} is not `points` and `criterion`: {item!r}", hint)
            items.append({"points": _tidy(float(item["points"])), "criterion": " ".join(item["criterion"].split())})
        total = sum(i["points"] for i in items)
        if abs(total - float(points or 0)) > 1e-9:
            raise self.error(cell, f"the rubric of {name!r} adds up to {_tidy(total)} points, not its {points}",
                             "Make the criteria's points add up to the question's")
        return items

    def finish_question(self, q: dict) -> Question:
        config, begin, tests = q["config"], q["begin"], q["tests"]
        name, manual = q["name"], config.get("manual", False)
        if manual:
            if tests:
                raise self.error(begin, f"manual question {name!r} has tests",
                                 "Remove `manual: true` to autograde it, or move the tests out")
            points = config.get("points") or 0
        else:
            if not tests:
                raise self.error(begin, f"autograded question {name!r} has no tests",
                                 "Add a `# BEGIN TESTS` block, or mark it `manual: true`")
            resolved = self.split_points(begin, name, config.get("points"), [t.points for t in tests])
            for t, p in zip(tests, resolved):
                t.points = _tidy(p)
            points = sum(resolved)
        question = Question(
            name=name, points=_tidy(points), manual=manual, tests=tests, cells=q["cells"],
            all_or_nothing=config.get("all_or_nothing", False),
            check_cell=config.get("check_cell", True), begin_cell=begin.index,
            rubric=config.get("rubric", []), forbid=config.get("forbid", []),
        )
        if question.forbid and not question.solution_defines:
            raise self.error(begin, f"question {name!r} forbids {', '.join(question.forbid)} but its solution "
                             "cells define no function or class, so there is nothing to check",
                             "Remove `forbid`, or define the graded functions in the question's SOLUTION block")
        return question

    def split_points(self, begin: Cell, name: str, points, explicit: list) -> list[float]:
        """Points per test, as otter's ``TestFile.resolve_test_file_points`` (stricter on sums).

        No ``points`` (otter's default): the tests' own points, the others none, or 1 point split
        evenly when no test gives any. ``{each: n}``: n per test."""
        if isinstance(points, dict):
            points = [points["each"]] * len(explicit)
        if points is None:
            if any(p for p in explicit if p is not None):
                return [float(p or 0) for p in explicit]
            free = sum(p is None for p in explicit)       # 1 point over the tests that give none
            return [1 / free if p is None else 0.0 for p in explicit]
        if isinstance(points, list):
            if len(points) != len(explicit):
                raise self.error(begin, f"question {name!r} lists {len(points)} point values "
                                 f"but has {len(explicit)} tests", "Give one value per test, in order")
            if any(p is not None for p in explicit):
                raise self.error(begin, f"question {name!r} gives points both as a list and in "
                                 "test configs", "Keep one of the two")
            return [float(p) for p in points]
        fixed = sum(p for p in explicit if p is not None)
        free = sum(p is None for p in explicit)
        if fixed - points > 1e-9:
            raise self.error(begin, f"the tests of question {name!r} claim {_tidy(fixed)} points, "
                             f"more than its {points}", "Lower the tests' points or raise the question's")
        if free == 0:
            if abs(fixed - points) > 1e-9:
                raise self.error(begin, f"the tests of question {name!r} add up to {_tidy(fixed)} points, "
                                 f"not its {points}", "Make them add up, or leave some tests without points")
            return [float(p) for p in explicit]
        share = (points - fixed) / free
        return [float(p) if p is not None else share for p in explicit]


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_points(x: Any) -> bool:
    if isinstance(x, dict):
        return set(x) == {"each"} and _is_number(x["each"]) and x["each"] >= 0
    if isinstance(x, list):
        return bool(x) and all(_is_number(p) and p >= 0 for p in x)
    return _is_number(x) and x >= 0


def _uses_name(tree: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(tree))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_master(path: Path, assignment_id: str | None = None,
                 config: AssignmentConfig | None = None) -> Assignment:
    """Parse a master notebook (and validate it against ``config`` if given)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AssignmentFormatError(f"{path}: missing; the master notebook must be named <id>.ipynb") from None
    try:
        nb = json.loads(data)
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
    except ValueError as exc:
        raise AssignmentFormatError(f"{path}: not a Jupyter notebook ({exc})") from None
    cells, questions, otter_config = _Parser(path).parse(nb)
    if not questions:
        raise AssignmentFormatError(f"{path}: no questions; mark them with `# BEGIN QUESTION` raw cells")
    aid = assignment_id or path.stem
    assignment = Assignment(
        id=aid, root=path.parent, notebook_path=path,
        config=config or AssignmentConfig(title=aid),
        questions=questions, cells=cells, otter_config=otter_config,
        notebook_metadata=copy.deepcopy(nb.get("metadata", {})), source_sha256=sha256_bytes(data),
    )
    declared = assignment.config.points
    if declared is not None and abs(declared - assignment.total_points) > 1e-6:
        raise AssignmentFormatError(
            f"{path.parent / 'assignment.toml'}: `points` = {declared} but the questions of {path.name} "
            f"add up to {assignment.total_points} "
            f"({', '.join(f'{q.name}: {q.points}' for q in questions)}); fix one of the two"
        )
    return assignment


def load_assignment(folder: Path) -> Assignment:
    """Load ``assignments/<id>/``: its ``assignment.toml`` and ``<id>.ipynb``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise AssignmentFormatError(f"{folder}: no such assignment folder")
    aid = folder.name
    config = load_config(folder / "assignment.toml", default_title=aid)
    return parse_master(folder / f"{aid}.ipynb", aid, config)


def find_assignments(root: Path) -> list[Path]:
    """Assignment folders under ``root`` (those with an assignment.toml), sorted by id."""
    return sorted(p.parent for p in Path(root).glob("*/assignment.toml"))
