"""The student side of grading: run a notebook, then answer the grader's questions about it.

    python -m autograder.isolation.runner NOTEBOOK [--cell-timeout S] [--skip 3,7] [--threads 1]

Runs inside the isolation backend (container, bubblewrap or plain subprocess) as an
unprivileged user that cannot see the hidden tests or the reference. It speaks only the
length-prefixed frames of ``autograder.isolation.wire`` on the stdin/stdout it was started with,
which it keeps on private descriptors; the student's code gets /dev/null as stdin and its
prints are captured per cell, so nothing the student writes can reach the channel.

Events it sends while executing: ``cell_start`` (so the grader knows which cell hung or
crashed the process), ``cell_end`` with the outcome, then ``ready``. Then it serves
requests: ``get`` a global, ``call`` a function or a reference, ``getattr`` on a reference,
``exit``. Every call has its own time limit, enforced here with an interval timer and by
the grader, which kills the process when the timer is not enough (a stuck C call).
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
import time
import traceback

from autograder.isolation import wire
from course_lib import numerics


class CallTimeout(Exception):
    pass


class References:
    """Objects the grader holds handles on; ids are never reused within a run."""

    def __init__(self):
        self.objects: dict[int, object] = {}

    def make(self, obj) -> dict:
        ref_id = len(self.objects) + 1
        self.objects[ref_id] = obj
        summary = _short_repr(obj)
        return {"__ref__": ref_id, "type": type(obj).__name__, "summary": summary, "callable": callable(obj)}

    def get(self, ref_id, _meta=None):
        try:
            return self.objects[int(ref_id)]
        except (KeyError, ValueError, TypeError):
            raise wire.WireError(f"unknown reference {ref_id!r}") from None


def _short_repr(obj, limit: int = 120) -> str:
    try:
        text = repr(obj)
    except Exception:  # a student's __repr__ may raise; the summary is only a hint
        text = f"<{type(obj).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _private_channel():
    """Keep the real stdin/stdout for frames; give the student /dev/null and a sink."""
    rx = os.fdopen(os.dup(0), "rb", buffering=0)
    tx = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)          # C-level writes from the student go nowhere
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""))
    return rx, tx


class _OnlyThisProcess:
    """The channel's write end, usable only by the runner itself, never by a process it forked.

    A child forked inside a cell (``os.fork()``, a fork bomb) returns into the cell loop with a
    copy of everything, the channel included. Left alone, every copy would report the next
    cells and answer requests, and the grader would read their frames interleaved. A copy that
    gets back to the runner's code is ended instead. (Children that run their own code and
    exit, as ``multiprocessing`` workers do, never get here.)
    """

    def __init__(self, stream):
        self.stream, self.pid = stream, os.getpid()

    def write(self, data: bytes) -> int:
        if os.getpid() != self.pid:
            os._exit(0)
        view = memoryview(data)
        while view:                       # an unbuffered write to a pipe may be partial
            view = view[self.stream.write(view):]
        return len(data)

    def flush(self) -> None:
        if os.getpid() != self.pid:
            os._exit(0)
        self.stream.flush()


def _alarm(seconds: float | None):
    if not seconds:
        return
    from autograder.isolation.execution import OwnClock, arm_alarm

    clock = OwnClock()

    def fire(signum, frame):
        if clock.expired(seconds):       # the call's own time, as for cells
            raise CallTimeout(f"took longer than {seconds:g} s")

    signal.signal(signal.SIGALRM, fire)
    arm_alarm(seconds)


def _disarm():
    signal.setitimer(signal.ITIMER_REAL, 0)


def serve(rx, tx, namespace: dict, refs: References) -> None:
    from autograder.isolation.execution import capture_output

    while True:
        try:
            req = wire.read_frame(rx)
        except EOFError:
            return
        op = req.get("op")
        if op == "exit":
            import resource

            peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            wire.write_frame(tx, {"ok": True, "value": wire.encode({"peak_rss_mb": peak_kib / 1024})})
            return
        output = ""
        try:
            with capture_output() as captured:
                _alarm(req.get("timeout"))
                try:
                    value = _handle(op, req, namespace, refs)
                finally:
                    _disarm()
            output = captured.text()
            reply = {"ok": True, "value": wire.encode(value, refs.make), "stdout": output}
        except BaseException as e:  # noqa: BLE001 - the student's code may raise anything, SystemExit included
            _disarm()
            reply = {"ok": False, "error": _describe(e), "error_type": type(e).__name__, "stdout": output}
        wire.write_frame(tx, reply)


def _handle(op: str, req: dict, namespace: dict, refs: References):
    if op == "get":
        name = req["name"]
        if name not in namespace:
            raise NameError(f"your notebook does not define {name!r}")
        return namespace[name]
    if op == "call":
        target = refs.get(req["ref"])
        args = wire.decode(req.get("args", []), refs.get)
        kwargs = wire.decode(req.get("kwargs", {"__dict__": []}), refs.get)
        return target(*args, **kwargs)
    if op == "getattr":
        return getattr(refs.get(req["ref"]), req["attr"])
    raise wire.WireError(f"unknown request {op!r}")


def _describe(e: BaseException) -> str:
    """The last lines of the traceback, pointing at the student's cell."""
    lines = traceback.format_exception(type(e), e, e.__traceback__)
    text = "".join(lines[-4:]) if len(lines) > 4 else "".join(lines)
    return text.strip()[-2000:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook")
    ap.add_argument("--cell-timeout", type=float, default=None)
    ap.add_argument("--skip", default="", help="comma-separated 1-based cell indices not to run")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)

    rx, tx = _private_channel()
    tx = _OnlyThisProcess(tx)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    # same thread count and CPU kernels on every backend and machine, same floats; torch reads
    # these when imported (the student's cells have not run yet)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    numerics.pin()
    from autograder.isolation.execution import notebook_code_cells, run_cells

    skip = {int(i) for i in args.skip.split(",") if i.strip()}
    try:
        sources, numbers = notebook_code_cells(args.notebook)
    except Exception as e:  # noqa: BLE001 - a corrupt notebook is reported, not raised
        wire.write_frame(tx, {"event": "invalid", "error": f"{type(e).__name__}: {e}"[:2000]})
        return 2
    keep = [i for i, n in enumerate(numbers) if n not in skip]
    sources, numbers = [sources[i] for i in keep], [numbers[i] for i in keep]
    namespace: dict = {"__name__": "__main__"}

    def on_start(index: int) -> None:
        wire.write_frame(tx, {"event": "cell_start", "index": index})

    def on_end(outcome) -> None:
        wire.write_frame(tx, {"event": "cell_end", "outcome": outcome.as_dict()})

    start = time.perf_counter()
    run_cells(sources, namespace, cell_timeout_s=args.cell_timeout, cell_numbers=numbers,
              on_start=on_start, on_end=on_end)
    wire.write_frame(tx, {"event": "ready", "seconds": time.perf_counter() - start})
    serve(rx, tx, namespace, References())
    os._exit(0)    # skip interpreter teardown (seconds with torch loaded); nothing is left to flush


if __name__ == "__main__":
    sys.exit(main())
