"""Run notebook code cells in this process, one namespace, the way a kernel would.

Used by ``course check`` on a student's machine and by grading backends inside their
sandbox. Not a sandbox itself: it only keeps one cell's failure, timeout or flood of output
from ending the run or exhausting memory.

* each cell is compiled with the filename ``<cell N>`` (and registered in ``linecache``), so
  tracebacks name the cell and show its lines;
* a cell that raises (``SystemExit`` and ``KeyboardInterrupt`` included, so a student's
  ``exit()`` cannot end the run) is recorded and the next cell runs;
* a per-cell timeout uses ``SIGALRM`` (main thread only) and counts the cell's own time
  (``OwnClock``: wall clock less the time a busy machine kept it waiting for a CPU, at most
  ``WALL_CAP`` times the limit on the wall clock). ``CellTimeout`` is a BaseException;
  if a bare ``except:`` swallows it anyway, the alarm fires again (each second at most) with a trace
  hook that re-raises at the first line of the ``except`` block that caught it, so a
  ``while True: try: ... except: pass`` loop still ends;
* ``sys.stdout``/``sys.stderr`` are captured together per cell into a capped buffer (what
  the notebook would show); output beyond the caps is counted and dropped, never stored.
  Writes to file descriptors 1 and 2 from C code or subprocesses are not captured;
* IPython magics and shell lines (``%``, ``%%``, ``!``) are commented out with a note when the
  cell is not valid Python otherwise; top-level ``await`` runs in a fresh event loop.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import io
import linecache
import re
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Literal

from autograder.errors import CourseError
from course_lib.student_setup import is_setup_cell

CELL_MAGICS_WITH_PYTHON_BODY = {"time", "timeit", "capture", "prun"}
MAGIC_RE = re.compile(r"^(\s*)(%%?|!)(.*)$")
NOTE = "# [course] not run, IPython only:"
ERROR_LINES = 12  # traceback lines kept per failed cell


class CellTimeout(BaseException):
    """Raised inside a cell that ran past its time limit.

    A BaseException, like KeyboardInterrupt, so ``except Exception`` in student code does
    not swallow it.
    """


WALL_CAP = 2    # a cell or call that a busy machine kept off the CPU may run up to twice its limit


def _queue_wait_s() -> float | None:
    """Seconds this thread has spent runnable but waiting for a CPU (schedstat's run delay)."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class OwnClock:
    """A time limit on the time the machine gave the code: wall clock less the time the thread
    sat runnable while other work held the CPUs.

    A grading machine busy with other submissions (or CI running two test workers) can keep a
    cell off the CPU for most of its limit: filling 1 GB, 0.5 s alone, took 18 s in a container
    beside 30 busy processes, and timed out on the wall clock. A student must not lose points to
    the machine's load. The wall clock still bounds the wait (``WALL_CAP`` times the limit), so
    a notebook that starves its own main thread gains at most that. Without schedstat (not
    Linux) the limit is plain wall-clock time.
    """

    def __init__(self):
        self.wall0, self.wait0 = time.monotonic(), _queue_wait_s()

    def expired(self, limit_s: float) -> bool:
        wall = time.monotonic() - self.wall0
        wait = _queue_wait_s()
        waited = 0.0 if wait is None or self.wait0 is None else max(0.0, wait - self.wait0)
        return wall >= WALL_CAP * limit_s or wall - waited >= limit_s


def arm_alarm(limit_s: float) -> None:
    """SIGALRM at the limit, then again every second at most, for OwnClock to judge each time."""
    signal.setitimer(signal.ITIMER_REAL, limit_s, min(1.0, limit_s / 2))


@dataclass
class CellOutcome:
    index: int  # the N of "<cell N>"
    status: Literal["ok", "error", "timeout"]
    error: str | None  # the last traceback lines, naming the cell
    stdout: str  # stdout and stderr, interleaved, capped
    truncated: bool
    seconds: float

    def as_dict(self) -> dict:
        return {"index": self.index, "status": self.status, "error": self.error, "stdout": self.stdout,
                "truncated": self.truncated, "seconds": round(self.seconds, 3)}


class CappedWriter(io.TextIOBase):
    """A text stream that keeps at most ``limit`` characters and counts the rest."""

    def __init__(self, limit: int):
        self.limit = max(0, limit)
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    @property
    def encoding(self) -> str:  # some libraries ask
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s) -> int:
        if not isinstance(s, str):
            s = str(s)
        room = self.limit - self.kept
        if room > 0:
            part = s[:room]
            self.parts.append(part)
            self.kept += len(part)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def getvalue(self) -> str:
        return "".join(self.parts)


def comment_out_magics(source: str) -> str:
    """Comment out IPython-only lines; a cell magic with a non-Python body disables the cell."""
    lines = source.split("\n")
    first = next((i for i, l in enumerate(lines) if l.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()[2:].split()[0] if lines[first].strip()[2:] else ""
        lines[first] = f"{NOTE} {lines[first].strip()}"
        if magic not in CELL_MAGICS_WITH_PYTHON_BODY:
            return "\n".join(l if i <= first else f"# {l}" for i, l in enumerate(lines))
    out = []
    for line in lines:
        m = MAGIC_RE.match(line)
        if m and not line.startswith(NOTE):
            out.append(f"{m.group(1)}{NOTE} {m.group(2)}{m.group(3)}")
            if line.rstrip().endswith(":"):  # a magic opening a block would leave it empty
                out.append(f"{m.group(1)}    pass")
        else:
            out.append(line)
    return "\n".join(out)


def _compile(source: str, filename: str):
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        return compile(source, filename, "exec", flags=flags, dont_inherit=True), source
    except SyntaxError:
        fixed = comment_out_magics(source)
        if fixed == source:
            raise
        return compile(fixed, filename, "exec", flags=flags, dont_inherit=True), fixed


def _format_error(exc: BaseException, filename_prefix: str = "<cell ") -> str:
    """The traceback from the first frame in a cell onwards (our own frames are noise)."""
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(filename_prefix):
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb) if tb is not None else \
        traceback.format_exception_only(type(exc), exc)
    text = "".join(lines).rstrip("\n").split("\n")
    return "\n".join(text[-ERROR_LINES:])


def run_cells(
    sources: list[str],
    namespace: dict,
    cell_timeout_s: float | None,
    output_limit: int = 20_000,
    total_output_limit: int = 1_000_000,
    *,
    cell_numbers: list[int] | None = None,
    on_start=None,
    on_end=None,
) -> list[CellOutcome]:
    """Execute each source in ``namespace``, in order, and report what happened to each.

    ``cell_numbers`` names the cells in messages (``<cell N>``); by default 1, 2, 3, ...
    ``output_limit`` caps each cell's captured output, ``total_output_limit`` the whole run's.
    """
    if cell_numbers is None:
        cell_numbers = list(range(1, len(sources) + 1))
    if len(cell_numbers) != len(sources):
        raise ValueError("cell_numbers must name every source")
    if cell_timeout_s is not None and threading.current_thread() is not threading.main_thread():
        raise RuntimeError("per-cell timeouts use SIGALRM and need the main thread; "
                           "pass cell_timeout_s=None in other threads")
    namespace.setdefault("__name__", "__main__")
    namespace.setdefault("__builtins__", __builtins__)

    outcomes: list[CellOutcome] = []
    total_left = total_output_limit
    real_stdout, real_stderr = sys.stdout, sys.stderr
    old_handler = signal.getsignal(signal.SIGALRM) if cell_timeout_s is not None else None
    timed_out = False
    armed = False  # alarms outside a cell's own code are ignored
    clock: OwnClock | None = None   # set with armed, for each cell

    old_trace, old_profile = sys.gettrace(), sys.getprofile()

    def escape_handler(frame, event, arg):
        """Re-raise at the first line of an ``except`` block that swallowed our timeout."""
        if event == "line" and armed and isinstance(sys.exc_info()[1], CellTimeout):
            raise CellTimeout(f"cell ran longer than {cell_timeout_s:g} s (and swallowed the timeout)")
        return escape_handler

    def trace_cell_frames(frame):
        f = frame
        while f is not None and f.f_code is not run_cells.__code__:
            f.f_trace, f.f_trace_lines = escape_handler, True
            f = f.f_back
        sys.settrace(escape_handler)

    def keep_tracing(frame, event, arg):
        # CPython drops a trace function that raised; an outer `except` must be traced too
        if armed and sys.gettrace() is not escape_handler:
            trace_cell_frames(frame)

    def on_alarm(signum, frame):
        nonlocal timed_out
        if not armed:
            return
        if not timed_out and not clock.expired(cell_timeout_s):
            return      # kept waiting for a CPU: the timer fires again each second
        if timed_out:  # the last CellTimeout was caught by the cell: trace its handlers
            trace_cell_frames(frame)
            sys.setprofile(keep_tracing)
        timed_out = True
        raise CellTimeout(f"cell ran longer than {cell_timeout_s:g} s")

    if cell_timeout_s is not None:
        signal.signal(signal.SIGALRM, on_alarm)
    try:
        for number, source in zip(cell_numbers, sources):
            filename = f"<cell {number}>"
            if on_start is not None:
                on_start(number)
            writer = CappedWriter(min(output_limit, total_left))
            status, error = "ok", None
            timed_out = False
            start = time.perf_counter()
            compiled = False
            try:
                code, ran_source = _compile(source, filename)
                compiled = True
                linecache.cache[filename] = (len(ran_source), None, ran_source.splitlines(True), filename)
                sys.stdout = sys.stderr = writer
                if cell_timeout_s is not None:
                    armed, clock = True, OwnClock()
                    arm_alarm(cell_timeout_s)
                try:
                    if code.co_flags & inspect.CO_COROUTINE:
                        asyncio.run(eval(code, namespace))
                    else:
                        exec(code, namespace)
                finally:
                    armed = False
                    if cell_timeout_s is not None:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                        if timed_out:
                            sys.setprofile(old_profile)
                            sys.settrace(old_trace)
            except CellTimeout as exc:
                armed = False
                status, error = "timeout", f"{filename}: {exc}"
            except SyntaxError as exc:  # in the cell itself, or from code it ran (eval, import)
                status = "error"
                error = (_format_error(exc) if compiled else
                         "".join(traceback.format_exception_only(type(exc), exc)).rstrip())
            except BaseException as exc:  # noqa: BLE001 - a student's exit() must not end the run
                armed = False
                status = "timeout" if timed_out else "error"
                error = _format_error(exc)
                if timed_out:
                    error = f"{filename}: cell ran longer than {cell_timeout_s:g} s\n{error}"
            finally:
                sys.stdout, sys.stderr = real_stdout, real_stderr
            if timed_out and status == "ok":  # the cell swallowed the timeout and finished
                status, error = "timeout", f"{filename}: cell ran longer than {cell_timeout_s:g} s"
            seconds = time.perf_counter() - start

            out = writer.getvalue()
            total_left -= writer.kept
            truncated = writer.dropped > 0
            if truncated:
                out += f"\n[... {writer.dropped} characters of output dropped (limit {writer.limit})]\n"
            outcomes.append(CellOutcome(number, status, error, out, truncated, seconds))
            if on_end is not None:
                on_end(outcomes[-1])
    finally:
        armed = False
        sys.stdout, sys.stderr = real_stdout, real_stderr
        if cell_timeout_s is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.setprofile(old_profile)
            sys.settrace(old_trace)
            signal.signal(signal.SIGALRM, old_handler)
    return outcomes


def is_grader_init_cell(source: str) -> bool:
    """The released notebook's ``import otter; grader = otter.Notebook(...)`` cell."""
    lines = [l.strip() for l in source.splitlines() if l.strip() and not l.strip().startswith("#")]
    return bool(lines) and all(l == "import otter" or (l.startswith("grader = otter.Notebook(")) for l in lines)


_AST_LOCK = threading.Lock()


def parse_python(source: str) -> ast.Module:
    """``ast.parse``, one thread at a time. CPython 3.11 keeps the depth counter of its
    AST-to-Python conversion in interpreter-wide state, so two threads parsing at once can fail
    with "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905); validate and
    `course grade -j N` grade in threads, and the grader parses every submission's cells."""
    with _AST_LOCK:
        return ast.parse(source)


def is_grader_call_cell(source: str) -> bool:
    """A cell made only of ``grader.<something>(...)`` calls (check, check_all, export)."""
    try:
        body = parse_python(source).body
    except SyntaxError:
        return False
    return bool(body) and all(
        isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Attribute)
        and isinstance(s.value.func.value, ast.Name) and s.value.func.value.id == "grader"
        for s in body
    )


def is_release_cell(source: str) -> bool:
    """A cell the release writes around the student's work (the set-up cell, otter's init, the
    ``grader.check`` calls): the grader does not run it and it is no one's own work."""
    return is_setup_cell(source) or is_grader_init_cell(source) or is_grader_call_cell(source)


class NotebookError(CourseError, ValueError):
    """The file is not a readable Jupyter notebook."""


def notebook_code_cells(path) -> tuple[list[str], list[int]]:
    """The code cells to grade and their 1-based notebook positions.

    Otter's set-up cell and ``grader.check`` cells are left out: they are the student's
    self-check, not their work, and importing otter costs seconds per submission. Read with
    ``json`` rather than nbformat, whose import alone takes seconds (schema validation).
    """
    with open(path, "rb") as f:
        return code_cells_of(f.read())


def code_cells_of(data: bytes) -> tuple[list[str], list[int]]:
    """:func:`notebook_code_cells` of a notebook's bytes (the grader reads the cells it runs this way)."""
    import json

    try:
        nb = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise NotebookError(f"not a notebook (invalid JSON: {e})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("not a notebook (no list of cells)")
    sources, numbers = [], []
    for i, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(x, str) for x in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(f"cell {i} has no readable source")
        if is_release_cell(source):
            continue
        sources.append(source)
        numbers.append(i)
    return sources, numbers


class capture_output:
    """Capture ``sys.stdout``/``sys.stderr`` into a capped buffer for the ``with`` block."""

    def __init__(self, limit: int = 20_000):
        self.writer = CappedWriter(limit)

    def __enter__(self) -> "capture_output":
        self._saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.writer
        return self

    def __exit__(self, *exc) -> None:
        sys.stdout, sys.stderr = self._saved

    def text(self) -> str:
        out = self.writer.getvalue()
        if self.writer.dropped:
            out += f"\n[... {self.writer.dropped} characters of output dropped]"
        return out
