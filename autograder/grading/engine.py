"""Grade one notebook: run it isolated, then run every test against it from the outside.

The trust boundary: the student's notebook runs in its own process (``autograder.isolation.runner``,
started by a backend), and the tests run *here*, in the grading process, where the student's
names resolve over the wire (``StudentGlobals``) and ``ref`` answers from the reference
snapshot. The student process never sees a hidden test, the reference or the results.

Failures stay local. A cell that hangs or kills the process is skipped on a restart, so the
rest of the notebook still earns its points; a test that crashes the process fails alone and
the next test gets a fresh process (up to ``MAX_RESTARTS``); the whole run has the
assignment's wall-clock budget.
"""

from __future__ import annotations

import builtins
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from autograder.grading.bundle import Bundle
from autograder.isolation.backend import Backend, Launch
from autograder.grading.feedback import Feedback
from autograder.grading import model_building_lock
from autograder.student.forbidden_calls import question_violations
from autograder.grading.results import SEVERITY, GradingResult, TestResult, grading_result
from autograder.isolation.student_process import ProcessEnded, StudentError, StudentProcess
from course_lib import numerics

MAX_RESTARTS = 2
GENERIC_HIDDEN_FAILURE = "A hidden test failed."


def _one_torch_thread() -> None:
    """Tests run with one intra-op thread, as the student's process does: the same numbers at
    release and at every regrade, and graders in threads of one process do not oversubscribe."""
    torch = sys.modules.get("torch")
    if torch is None:
        os.environ["OMP_NUM_THREADS"] = "1"     # read when a test first imports torch
        numerics.pin()                          # likewise (the `course` command has pinned them already)
    elif torch.get_num_threads() != 1:
        torch.set_num_threads(1)


class StudentGlobals(dict):
    """A test's globals: names the test did not define come from the student's notebook."""

    def __init__(self, proc_getter, provided: dict, on_read=None):
        super().__init__(provided)
        self._proc_getter = proc_getter
        self._on_read = on_read          # (name, value) of each name read from the notebook

    def __missing__(self, name: str):
        if hasattr(builtins, name):
            return getattr(builtins, name)
        value = self._proc_getter().get(name)
        self[name] = value
        if self._on_read is not None:
            self._on_read(name, value)
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


class Grading:
    """One submission's grading run; ``run()`` returns the result dictionary."""

    def __init__(self, bundle: Bundle, notebook: bytes, backend: Backend, *, slot: int = 0,
                 reference=None, student: str | None = None, keep_workdir: Path | None = None,
                 record_reads: bool = False):
        self.bundle, self.backend, self.slot, self.student = bundle, backend, slot, student
        self.notebook = notebook
        self.limits = bundle.limits
        self.reference = reference
        self.keep_workdir = keep_workdir
        self.proc: StudentProcess | None = None
        self.launch: Launch | None = None               # how self.proc was started
        self.skip: set[int] = set()
        self.restarts = 0
        self.fatal: tuple[str, str] | None = None       # why no more processes will be started
        self.events: list[tuple[str, str]] = []         # (reason, detail) of every incident
        self.cells: dict[int, dict] = {}
        self.peak_mb = 0.0
        self.feedback = Feedback()                      # what tests chose to show the student
        self.deadline = 0.0
        self.hidden_started = False     # from then on nothing the student's process says is shown
        # test name -> {name: value} the test read from the notebook (release records it for
        # validate's forged-results probe)
        self.reads: dict[str, dict] | None = {} if record_reads else None
        # question -> why its hidden tests fail unrun: the submission's functions use a name the
        # question forbids (`forbid`, read from the notebook's code here, never in its process)
        self.forbidden: dict[str, str] = {}

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
            try:
                log = proc.wait_ready(self.limits.cell_timeout_s)
                self._record_cells(log.cells)
                self.proc, self.launch = proc, launch
            except ProcessEnded as e:
                self._finish(proc, launch)
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

    def _finish(self, proc: StudentProcess, launch: Launch) -> None:
        proc.close()
        # sandbox: the cgroup's high-water mark; docker: the limit when the container was OOM-killed
        measured = launch.peak_mb() if launch.peak_mb else None
        if measured is None:
            measured = proc.reported_peak_mb if self.backend.process_is_client else proc.peak_rss_mb
        if measured:
            self.peak_mb = max(self.peak_mb, measured)
        if launch.cleanup:
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
                    "assert_equal": testing.assert_equal, "assert_doctest": testing.assert_doctest,
                    "feedback": self.feedback}
        on_read = None if self.reads is None else self.reads.setdefault(test["name"], {}).__setitem__
        env = StudentGlobals(self._current, provided, on_read)
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
                self._finish(self.proc, self.launch)
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
    def run(self) -> GradingResult:
        _one_torch_thread()
        if self.bundle.config.requires.models or "transformers" in sys.modules:
            model_building_lock.install()      # this process may grade in several threads
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
        self.forbidden = question_violations(self.notebook, self.bundle.questions)
        try:
            self._start()
            for i in order:
                test = self.bundle.tests[i]
                if test.get("hidden") and test["question"] in self.forbidden:
                    results[i] = self._forbidden(test)
                else:
                    results[i] = self._not_run(test) if self.fatal else self._run_test(test)
        finally:
            if self.proc is not None:
                self._finish(self.proc, self.launch)
            if self.keep_workdir is not None:
                shutil.copytree(self.workdir, self.keep_workdir, symlinks=True, dirs_exist_ok=True)  # never follow links out
            shutil.rmtree(tmp, ignore_errors=True)
        return self._result([results[i] for i in sorted(results)], time.monotonic() - started)

    def _forbidden(self, test: dict) -> dict:
        """A hidden test of a question whose functions use a name it forbids: failed, not run."""
        return {"name": test["name"], "question": test["question"], "hidden": True, "points": 0.0,
                "max_points": float(test["points"]), "status": "failed",
                "message": self.forbidden[test["question"]], "seconds": 0.0}

    def _not_run(self, test: dict) -> dict:
        reason, detail = self.fatal
        return {"name": test["name"], "question": test["question"], "hidden": bool(test.get("hidden")),
                "points": 0.0, "max_points": float(test["points"]), "status": reason,
                "message": f"not run: {detail}", "seconds": 0.0}

    def _result(self, tests: list[TestResult], seconds: float) -> GradingResult:
        reason, detail = "ok", ""
        for r, d in self.events:
            if SEVERITY.get(r, 2) > SEVERITY[reason]:
                reason, detail = r, d
        if reason == "ok" and any(c.get("status") == "timeout" for c in self.cells.values()):
            reason, detail = "timeout", "a cell ran past its time limit and was interrupted"
        return grading_result(self.bundle.assignment_id, self.bundle.questions, self.student, tests,
                              exit_reason=reason, exit_detail=detail, cells=[self.cells[i] for i in sorted(self.cells)],
                              runtime_s=seconds, peak_memory_mb=self.peak_mb, restarts=self.restarts,
                              backend=self.backend.name, artifacts=self.feedback.artifacts(), notebook=self.notebook)


def _student_message(e: StudentError) -> str:
    return f"your code raised {e.error_type}:\n{e}"


def grade_notebook(bundle: Bundle, notebook: bytes, backend: Backend, **kwargs) -> GradingResult:
    """Grade one notebook (its bytes) against ``bundle``; never raises for the student's faults."""
    if kwargs.get("reference") is None:
        from autograder.grading.reference_replay import ReplayReference

        kwargs["reference"] = ReplayReference.load(bundle.folder)
    return Grading(bundle, notebook, backend, **kwargs).run()
