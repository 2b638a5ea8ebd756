"""Grade one notebook: run it isolated, then run every test against it from the outside.

The trust boundary: the student's notebook runs in its own process (``autograder.runner``,
started by a backend), and the tests run *here*, in the grading process, where the student's
names resolve over the wire (``StudentGlobals``) and ``ref`` answers from the reference
snapshot. The student process never sees a hidden test, the reference or the results.

Failures stay local. A cell that hangs or kills the process is skipped on a restart, so the
rest of the notebook still earns its points; a test that crashes the process fails alone and
the next test gets a fresh process (up to ``MAX_RESTARTS``); the whole run has the
assignment's wall-clock budget.
"""

from __future__ import annotations

import ast
import builtins
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from autograder.backends import Backend, Limits
from autograder.feedback import Feedback
from autograder.student_process import ProcessEnded, StudentError, StudentProcess
from course_lib import numerics

MAX_RESTARTS = 2
GENERIC_HIDDEN_FAILURE = "A hidden test failed."
SEVERITY = {"ok": 0, "timeout": 1, "crash": 2, "out-of-memory": 3, "invalid": 4}


def _one_torch_thread() -> None:
    """Tests run with one intra-op thread, as the student's process does: the same numbers at
    release and at every regrade, and graders in threads of one process do not oversubscribe."""
    torch = sys.modules.get("torch")
    if torch is None:
        os.environ["OMP_NUM_THREADS"] = "1"     # read when a test first imports torch
        numerics.pin()                          # likewise (the `course` command has pinned them already)
    elif torch.get_num_threads() != 1:
        torch.set_num_threads(1)


@dataclass
class Bundle:
    """``dist/<id>/autograder``: what only graders get."""
    folder: Path
    assignment_id: str
    config: object
    questions: list[dict]
    tests: list[dict]

    @classmethod
    def load(cls, folder: Path) -> "Bundle":
        from autograder.assignment import load_config

        folder = Path(folder)
        if not (folder / "tests.json").exists():
            raise FileNotFoundError(f"{folder} is not an autograder bundle (no tests.json): run `course release` first")
        tests = json.loads((folder / "tests.json").read_text())
        questions = json.loads((folder / "questions.json").read_text())
        config = load_config(folder / "assignment.toml")
        return cls(folder, tests["assignment"], config, questions["questions"], tests["tests"])

    @property
    def limits(self) -> Limits:
        lim = self.config.limits
        return Limits(time_s=lim.time_s, memory_mb=lim.memory_mb, pids=lim.pids, cpus=lim.cpus,
                      cell_timeout_s=lim.cell_timeout_s)

    @property
    def total_points(self) -> float:
        return sum(q["points"] for q in self.questions)

    @functools.cached_property
    def test_imports(self) -> dict:
        """The names the master notebook imports at top level, imported *here* (see ``staff_imports``)."""
        return staff_imports(self.folder / "solution.ipynb")


def staff_imports(solution_path: Path) -> dict:
    """Run the solution notebook's top-level ``import`` statements in the grading process.

    Tests are written in the master notebook, where ``np`` or ``torch`` are the notebook's
    imports. If a test's ``np`` resolved to the student's ``np`` instead, it would be a
    reference into the student's process, and ``np.testing.assert_allclose(...)`` would run
    there, where the student can have replaced it with a no-op. So tests get the staff's
    imports (the solution is staff code), executed here; only what the solution does not
    import comes from the student.
    """
    from autograder.execution import comment_out_magics

    try:
        nb = json.loads(Path(solution_path).read_text())
    except (OSError, ValueError):
        return {}
    names: dict = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(comment_out_magics(source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                scope: dict = {}
                try:
                    exec(compile(ast.Module([node], []), "<staff imports>", "exec"), scope)
                except Exception:  # noqa: BLE001 - a name that does not import here stays the student's
                    continue
                scope.pop("__builtins__", None)
                names.update(scope)
    return names


class StudentGlobals(dict):
    """A test's globals: names the test did not define come from the student's notebook."""

    def __init__(self, proc_getter, provided: dict):
        super().__init__(provided)
        self._proc_getter = proc_getter

    def __missing__(self, name: str):
        if hasattr(builtins, name):
            return getattr(builtins, name)
        value = self._proc_getter().get(name)
        self[name] = value
        return value


class SafeWorkdir:
    """Read the student's saved files without following their symlinks out of the work dir."""

    def __init__(self, root: Path):
        self.root = root.resolve()

    def path(self, rel: str) -> Path:
        rel_path = Path(rel)
        if rel_path.is_absolute() or ".." in rel_path.parts:
            raise AssertionError(f"{rel!r}: saved files must be given relative to the notebook's folder")
        target = self.root / rel_path
        if not target.exists():
            raise AssertionError(f"your notebook did not save {rel!r}")
        for p in [target, *target.parents]:
            if p == self.root:
                break
            if p.is_symlink():
                raise AssertionError(f"{rel!r} is a symbolic link; save real files")
        if target.is_dir():
            for f in target.rglob("*"):
                if f.is_symlink():
                    raise AssertionError(f"{f.relative_to(self.root)} is a symbolic link; save real files")
                if not (f.is_file() or f.is_dir()):      # a FIFO would block the grader that opens it
                    raise AssertionError(f"{f.relative_to(self.root)} is not a regular file")
        elif not target.is_file():
            raise AssertionError(f"{rel!r} is not a regular file")
        return target


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Grading:
    """One submission's grading run; ``run()`` returns the result dictionary."""

    def __init__(self, bundle: Bundle, notebook: bytes, backend: Backend, *, slot: int = 0,
                 reference=None, student: str | None = None, keep_workdir: Path | None = None):
        self.bundle, self.backend, self.slot, self.student = bundle, backend, slot, student
        self.notebook = notebook
        self.limits = bundle.limits
        self.reference = reference
        self.keep_workdir = keep_workdir
        self.proc: StudentProcess | None = None
        self.skip: set[int] = set()
        self.restarts = 0
        self.fatal: tuple[str, str] | None = None       # why no more processes will be started
        self.events: list[tuple[str, str]] = []         # (reason, detail) of every incident
        self.cells: dict[int, dict] = {}
        self.peak_mb = 0.0
        self.feedback = Feedback()                      # what tests chose to show the student
        self.deadline = 0.0
        self.hidden_started = False     # from then on nothing the student's process says is shown

    # -- the student's process -----------------------------------------------------------
    def _start(self) -> StudentProcess | None:
        while self.proc is None:
            if self.fatal:
                return None
            if time.monotonic() >= self.deadline:
                self._give_up("timeout", f"the submission used its whole time budget of {self.limits.time_s:g} s")
                return None
            self._fresh_notebook()
            launch = self.backend.launch(self.workdir, self.limits, self.skip, self.slot)
            proc = StudentProcess(launch.argv, cwd=launch.cwd, env=launch.env, preexec_fn=launch.preexec_fn,
                                  call_timeout=self._call_timeout(), deadline=self.deadline,
                                  classify_exit=launch.classify_exit)
            proc.launch = launch
            try:
                log = proc.wait_ready(self.limits.cell_timeout_s)
                self._record_cells(log.cells)
                self.proc = proc
            except ProcessEnded as e:
                self._finish(proc)
                self._record_cells(proc.log.cells)
                bad = proc.log.running_cell
                if e.reason == "invalid" or bad is None or self.restarts >= MAX_RESTARTS:
                    self._give_up(e.reason, e.detail if bad is None else f"cell {bad}: {e.detail}")
                    return None
                self.events.append((e.reason, f"cell {bad}: {e.detail}; the notebook was run again without it"))
                self.cells[bad] = {"index": bad, "status": e.reason, "error": e.detail, "stdout": "",
                                   "truncated": False, "seconds": None}
                self.skip.add(bad)
                self.restarts += 1
        return self.proc

    def _fresh_notebook(self) -> None:
        """(Re)write the submission before each start: a crashed run may have replaced it, with a
        symbolic link to a file of this machine for example, which the backend would then chown."""
        nb = self.workdir / "submission.ipynb"
        if nb.is_dir() and not nb.is_symlink():
            shutil.rmtree(nb)
        else:
            nb.unlink(missing_ok=True)
        nb.write_bytes(self.notebook)

    def _record_cells(self, outcomes: list[dict]) -> None:
        """Keep the cells' outcomes for the student's feedback, but only from runs before any hidden test.

        A process restarted after a hidden test has run could print what that test passed to
        it (kept in a file in its work dir): its outputs never reach the result.
        """
        for outcome in outcomes:
            if self.hidden_started:
                self.cells.setdefault(outcome["index"], outcome)
            else:
                self.cells[outcome["index"]] = outcome

    def _finish(self, proc: StudentProcess) -> None:
        proc.close()
        launch = getattr(proc, "launch", None)
        peak = getattr(launch, "peak_mb", None)
        # sandbox: the cgroup's high-water mark; docker: the limit when the container was OOM-killed
        measured = peak() if callable(peak) else None
        if measured is None:
            if self.backend.name == "docker":     # the local process is only the docker client
                measured = proc.reported_peak_mb
            else:
                measured = proc.peak_rss_mb
        if measured:
            self.peak_mb = max(self.peak_mb, measured)
        if launch is not None and launch.cleanup:
            launch.cleanup()

    def _call_timeout(self) -> float:
        return self.limits.cell_timeout_s or 120

    def _give_up(self, reason: str, detail: str) -> None:
        self.fatal = (reason, detail)
        self.events.append((reason, detail))

    def _current(self) -> StudentProcess:
        proc = self._start()
        if proc is None:
            raise ProcessEnded(*self.fatal)
        return proc

    # -- tests -----------------------------------------------------------------------------
    def _run_test(self, test: dict) -> dict:
        from course_lib import testing

        provided = {**self.bundle.test_imports, "__name__": "__grading__", "ref": self.reference,
                    "student_path": self.safe.path, "assert_close": testing.assert_close,
                    "assert_equal": testing.assert_equal, "feedback": self.feedback}
        env = StudentGlobals(self._current, provided)
        status, message = "passed", test.get("success_message") or ""
        start = time.monotonic()
        if test.get("hidden"):
            self.hidden_started = True
        try:
            code = compile(test["code"], f"<test {test['name']}>", "exec")
            exec(code, env)
        except ProcessEnded as e:
            status, message = e.reason, e.detail
            self.events.append((e.reason, e.detail))
            if self.proc is not None:
                self._finish(self.proc)
            self.proc = None
            if not self.fatal:
                if self.restarts >= MAX_RESTARTS:
                    self._give_up(e.reason, e.detail)
                self.restarts += 1
        except StudentError as e:
            status, message = "error", _student_message(e)
            if e.error_type == "CallTimeout":      # the runner's own per-call timer
                status = "timeout"
                message = f"a call into your code took longer than {self._call_timeout():g} s and was stopped"
                self.events.append(("timeout", f"{test['name']}: {message}"))
        except AssertionError as e:
            status, message = "failed", str(e) or "assertion failed"
        except Exception as e:  # noqa: BLE001 - e.g. a NameError inside the test: the student's fault or the test's
            status, message = "error", f"{type(e).__name__}: {e}"
            if not isinstance(e, (NameError, TypeError, ValueError, KeyError, IndexError, AttributeError)):
                message += "\n" + "".join(traceback.format_exception(e)[-2:])
        passed = status == "passed"
        staff_detail = None
        if test.get("hidden") and not passed and status in ("failed", "error", "timeout"):
            # never show a hidden test's assertion text: it can contain expected values. validate
            # and release print it from memory (a hidden test that fails only sometimes cannot be
            # debugged from its failure_message); without_staff_detail drops it before storing.
            staff_detail = message[:4000]
            message = test.get("failure_message") or GENERIC_HIDDEN_FAILURE
        elif not passed and test.get("failure_message"):
            message = f"{test['failure_message']}\n{message}".strip()
        result = {"name": test["name"], "question": test["question"], "hidden": bool(test.get("hidden")),
                  "points": float(test["points"]) if passed else 0.0, "max_points": float(test["points"]),
                  "status": status, "message": message[:4000], "seconds": round(time.monotonic() - start, 3)}
        if staff_detail is not None:
            result["staff_detail"] = staff_detail
        return result

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> dict:
        _one_torch_thread()
        started = time.monotonic()
        self.deadline = started + self.limits.time_s
        tmp = Path(tempfile.mkdtemp(prefix="grade-"))
        self.workdir = tmp / "work"
        self.workdir.mkdir()
        self.safe = SafeWorkdir(self.workdir)
        results: dict[int, dict] = {}
        # public tests first: a public test's message can show the student's own text (their
        # exception), which must never carry what a hidden test passed into their process
        order = sorted(range(len(self.bundle.tests)), key=lambda i: bool(self.bundle.tests[i].get("hidden")))
        try:
            self._start()
            for i in order:
                test = self.bundle.tests[i]
                results[i] = self._not_run(test) if self.fatal else self._run_test(test)
        finally:
            if self.proc is not None:
                self._finish(self.proc)
            if self.keep_workdir is not None:
                shutil.copytree(self.workdir, self.keep_workdir, symlinks=True, dirs_exist_ok=True)  # never follow links out
            shutil.rmtree(tmp, ignore_errors=True)
        return self._result([results[i] for i in sorted(results)], time.monotonic() - started)

    def _not_run(self, test: dict) -> dict:
        reason, detail = self.fatal
        return {"name": test["name"], "question": test["question"], "hidden": bool(test.get("hidden")),
                "points": 0.0, "max_points": float(test["points"]), "status": reason,
                "message": f"not run: {detail}", "seconds": 0.0}

    def _result(self, tests: list[dict], seconds: float) -> dict:
        questions = {}
        for q in self.bundle.questions:
            qtests = [t for t in tests if t["question"] == q["name"]]
            earned = sum(t["points"] for t in qtests)
            if q.get("all_or_nothing") and any(t["status"] != "passed" for t in qtests):
                earned = 0.0
            questions[q["name"]] = {"points": round(earned, 6), "max_points": q["points"], "manual": q["manual"],
                                    "tests": qtests}
        reason, detail = "ok", ""
        for r, d in self.events:
            if SEVERITY.get(r, 2) > SEVERITY[reason]:
                reason, detail = r, d
        if reason == "ok" and any(c.get("status") == "timeout" for c in self.cells.values()):
            reason, detail = "timeout", "a cell ran past its time limit and was interrupted"
        score = sum(q["points"] for q in questions.values() if not q["manual"])
        return {
            "assignment": self.bundle.assignment_id, "student": self.student,
            "score": round(score, 6), "max_score": round(sum(q["points"] for q in self.bundle.questions if not q["manual"]), 6),
            "exit_reason": reason, "exit_detail": detail, "questions": questions,
            "cells": [self.cells[i] for i in sorted(self.cells)],
            "runtime_s": round(seconds, 3), "peak_memory_mb": round(self.peak_mb, 1) if self.peak_mb else None,
            "restarts": self.restarts, "backend": self.backend.name, "artifacts": self.feedback.artifacts(),
            "notebook_sha256": hashlib.sha256(self.notebook).hexdigest(), "graded_at": _now(),
        }


def _student_message(e: StudentError) -> str:
    return f"your code raised {e.error_type}:\n{e}"


def without_staff_detail(result: dict) -> dict:
    """The result as it may be stored and shown: a failed hidden test's real text (``staff_detail``,
    for ``validate`` and ``release`` in memory) dropped. Stored results count as student-visible
    (Gradescope shows its results file), so they never hold a hidden test's assertion."""
    questions = {name: {**q, "tests": [{k: v for k, v in t.items() if k != "staff_detail"} for t in q["tests"]]}
                 for name, q in result.get("questions", {}).items()}
    return {**result, "questions": questions}


def grade_notebook(bundle: Bundle, notebook: bytes, backend: Backend, **kwargs) -> dict:
    """Grade one notebook (its bytes) against ``bundle``; never raises for the student's faults."""
    if kwargs.get("reference") is None:
        from autograder.reference import ReplayReference

        kwargs["reference"] = ReplayReference.load(bundle.folder)
    return Grading(bundle, notebook, backend, **kwargs).run()
