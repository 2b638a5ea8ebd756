"""The grader's handle on one running student process (see ``autograder.isolation.runner``).

``StudentProcess`` starts the runner through a backend, follows its cell events, and then
makes calls into it. Every wait has a deadline: a process that stops answering is killed,
and the caller learns *why* it ended (``ProcessEnded``), so that the engine can charge the
failure to the question that caused it and carry on.
"""

from __future__ import annotations

import io
import math
import os
import select
import selectors
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

from autograder.isolation import wire
from autograder.isolation.execution import WALL_CAP


class ProcessEnded(Exception):
    """The student's process is gone (or was killed); ``reason`` is one of the exit reasons."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class StudentError(Exception):
    """The student's code raised inside a call; the message is the student's traceback."""

    def __init__(self, message: str, error_type: str):
        super().__init__(message)
        self.error_type = error_type


@dataclass
class ExecutionLog:
    cells: list[dict] = field(default_factory=list)     # cell_end outcomes
    running_cell: int | None = None                     # the cell that was running when it died
    seconds: float = 0.0
    invalid: str | None = None


# events sent while the notebook runs are small (a cell's output is capped at 20,000 characters)
EVENT_FRAME_LIMIT = 4 * 1024 * 1024
CELL_STATUSES = ("ok", "error", "timeout")


def _is_index(value) -> bool:
    return type(value) is int and 0 <= value < 1_000_000


def _clean_outcome(outcome: dict) -> dict:
    """A cell outcome as the runner reports it, re-checked: the student's process can send anything."""
    def text(value, limit):
        return None if value is None else str(value)[:limit]

    seconds = outcome.get("seconds")
    return {"index": outcome["index"],
            "status": outcome.get("status") if outcome.get("status") in CELL_STATUSES else "error",
            "error": text(outcome.get("error"), 4000), "stdout": text(outcome.get("stdout"), 25_000) or "",
            "truncated": bool(outcome.get("truncated")),
            "seconds": round(float(seconds), 3) if type(seconds) in (int, float) and math.isfinite(seconds) else None}


class RemoteRef:
    """A student object, used in tests as if it were local: call it, read attributes."""

    def __init__(self, proc: "StudentProcess", meta: dict):
        self._proc, self._meta = proc, meta

    @property
    def ref_id(self) -> int:
        return int(self._meta["__ref__"])

    def __call__(self, *args, **kwargs):
        return self._proc.call(self, *args, **kwargs)

    def __getattr__(self, attr: str):
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._proc.request({"op": "getattr", "ref": self.ref_id, "attr": attr})

    def __repr__(self) -> str:
        return f"<student {self._meta.get('type', 'object')}: {self._meta.get('summary', '')}>"


class StudentProcess:
    def __init__(self, argv: list[str], *, cwd: str, env: dict | None = None, call_timeout: float = 60.0,
                 deadline: float | None = None, preexec_fn=None, classify_exit=None):
        self.call_timeout = call_timeout
        self.deadline = deadline                      # absolute time.monotonic() for the whole run
        self.classify_exit = classify_exit            # backend hook: (returncode) -> (reason, detail) | None
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, preexec_fn=preexec_fn, start_new_session=True)
        self.log = ExecutionLog()
        self.rusage = None
        self.reported_peak_mb: float | None = None   # what the runner says (docker: the client's rusage is useless)
        self._buffer = b""
        self._lock = threading.Lock()

    # -- reading with deadlines ------------------------------------------------------------
    def _remaining(self, timeout: float | None) -> float | None:
        limits = [t for t in (timeout, None if self.deadline is None else self.deadline - time.monotonic()) if t is not None]
        return min(limits) if limits else None

    def _read(self, n: int, timeout: float | None) -> bytes:
        end = None if timeout is None else time.monotonic() + timeout
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            while len(self._buffer) < n:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError
                if not sel.select(left):
                    raise TimeoutError
                chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
                if not chunk:
                    raise EOFError
                self._buffer += chunk
        finally:
            sel.close()
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    def _send(self, message: dict, timeout: float | None) -> None:
        """Write one frame, with a deadline: a process that stops reading (a thread holding the
        GIL, a stuck C call) would otherwise block the grader forever on a full pipe."""
        buffer = io.BytesIO()
        wire.write_frame(buffer, message)
        view = memoryview(buffer.getvalue())
        fd = self.proc.stdin.fileno()
        os.set_blocking(fd, False)
        end = None if timeout is None else time.monotonic() + timeout
        poller = select.poll()              # not select.select: no limit on the descriptor's number
        poller.register(fd, select.POLLOUT)
        while view:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                raise TimeoutError
            if not poller.poll(None if left is None else max(1, int(left * 1000))):
                raise TimeoutError
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                continue

    def _frame(self, timeout: float | None, limit: int = wire.MAX_FRAME) -> dict:
        import io
        import struct

        try:
            header = self._read(8, timeout)
            (size,) = struct.unpack(">Q", header)
            if size > limit:
                self._end("crash", f"the notebook sent a {size}-byte message (limit {limit})")
            return wire.read_frame(io.BytesIO(header + self._read(size, timeout)), limit)
        except TimeoutError:
            over_budget = self.deadline is not None and time.monotonic() >= self.deadline
            self._end("timeout", "the submission ran out of its total time" if over_budget
                      else f"no answer within {timeout:.0f} s")
        except EOFError:
            self._end(*self._why_exited())
        except (wire.WireError, RecursionError, ValueError) as e:   # e.g. JSON nested 100,000 deep
            self._end("crash", f"the notebook's process broke the grading protocol ({type(e).__name__})")

    # -- lifecycle ---------------------------------------------------------------------------
    def wait_ready(self, cell_timeout: float | None) -> ExecutionLog:
        """Follow the notebook's execution until it is ready for calls (or dies)."""
        start = time.monotonic()
        while True:
            # a cell is allowed its own timeout (up to WALL_CAP times it when the machine kept it
            # waiting) plus a grace period for the in-process timer to fire; the whole run's budget
            # bounds the notebook too (many cells each under the cell limit)
            event = self._frame(self._remaining(None if cell_timeout is None else WALL_CAP * cell_timeout + 15),
                                limit=EVENT_FRAME_LIMIT)
            kind = event.get("event")
            if kind == "cell_start" and _is_index(event.get("index")):
                self.log.running_cell = event["index"]
            elif kind == "cell_end" and isinstance(event.get("outcome"), dict) \
                    and _is_index(event["outcome"].get("index")):
                self.log.cells.append(_clean_outcome(event["outcome"]))
                self.log.running_cell = None
            elif kind == "ready":
                self.log.seconds = time.monotonic() - start
                return self.log
            elif kind == "invalid":
                self.log.invalid = str(event.get("error", "unreadable notebook"))[:2000]
                self._end("invalid", self.log.invalid)
            else:
                # the content is not echoed: it is the student's text, and details reach the student
                self._end("crash", "the notebook's process broke the grading protocol (an unexpected message)")

    def request(self, message: dict, timeout: float | None = None):
        timeout = timeout or self.call_timeout
        with self._lock:
            if self.proc.poll() is not None:
                self._end(*self._why_exited())
            try:
                self._send(dict(message, timeout=timeout), self._remaining(timeout + 10))
            except TimeoutError:
                self._end("timeout", f"the notebook's process stopped reading (nothing taken within {timeout:.0f} s)")
            except (BrokenPipeError, OSError):
                self._end(*self._why_exited())
            reply = self._frame(self._remaining(WALL_CAP * timeout + 10))
        if not reply.get("ok"):
            raise StudentError(str(reply.get("error", "error")), str(reply.get("error_type", "Exception")))
        return wire.decode(reply.get("value"), lambda _id, meta: RemoteRef(self, meta))

    def get(self, name: str):
        return self.request({"op": "get", "name": name})

    def call(self, target: RemoteRef, *args, **kwargs):
        def as_ref(obj):
            if isinstance(obj, RemoteRef):
                return {"__ref__": obj.ref_id}
            raise TypeError(f"cannot send a {type(obj).__name__} to the student's code")

        return self.request({"op": "call", "ref": target.ref_id, "args": wire.encode(list(args), as_ref),
                             "kwargs": wire.encode(kwargs, as_ref)})

    def close(self) -> None:
        """Ask the runner to exit, give it a moment, then make sure the whole group is gone."""
        if self.proc.returncode is None:
            try:
                self.reported_peak_mb = float(self.request({"op": "exit"}, timeout=5)["peak_rss_mb"])
            except Exception:  # noqa: BLE001 - closing must never raise; kill below
                pass
            self._wait_exit(5)
        self.kill()

    def _wait_exit(self, seconds: float) -> None:
        """Reap the runner if it exits within ``seconds``; wait4, not Popen.wait, because it
        also returns the child's resource usage (its peak memory)."""
        end = time.monotonic() + seconds
        while not self._reaped() and time.monotonic() < end:
            try:
                pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            except ChildProcessError:
                return
            if pid:
                self.rusage, self.proc.returncode = usage, os.waitstatus_to_exitcode(status)
                return
            time.sleep(0.02)

    def kill(self) -> None:
        if not self._reaped():
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._reap()

    def _reaped(self) -> bool:
        """Whether the runner's exit status is in hand (here, or through ``Popen.poll``). After
        that its pid is free for the kernel to give to another process, a sibling runner of this
        grader's other threads among them: waiting on it or signalling it again would reach that one."""
        return self.rusage is not None or self.proc.returncode is not None

    def _reap(self) -> None:
        if self._reaped():
            return
        try:
            _, status, self.rusage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            self.proc.wait()

    @property
    def peak_rss_mb(self) -> float | None:
        if self.rusage is None:
            return None
        return self.rusage.ru_maxrss / 1024            # Linux reports KiB

    def _why_exited(self) -> tuple[str, str]:
        self._wait_exit(5)
        self.kill()
        code = self.proc.returncode
        if self.classify_exit:
            verdict = self.classify_exit(code)
            if verdict:
                return verdict
        if code == -signal.SIGKILL or code == 137:
            return "out-of-memory", "the notebook's process was killed (most likely it used more memory than allowed)"
        return "crash", f"the notebook's process exited unexpectedly (exit status {code})"

    def _end(self, reason: str, detail: str):
        self.kill()
        raise ProcessEnded(reason, detail)
