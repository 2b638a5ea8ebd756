"""Public tests on upload (``[serve] public_tests = true``): each receipt's notebook is run through
the grading engine with the **public tests only**, on the service's isolation backend, and the
outcome is shown on the receipt page, so a student sees before the deadline what ``course
check`` would tell them, on the course's machine.

One worker thread runs the checks in upload order: grading a lab notebook takes up to its time
limit, and a deadline brings hundreds of uploads, so checks queue (the page shows the place in
the queue) rather than competing with each other and with staff's grading for the CPUs. The
outcome is written to ``checks/<receipt>.json`` (atomic rename); a check still queued when the
server stops is not run (the page says so). Hidden tests never run here: nothing about them can
reach the student through this page.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import threading
from collections import deque
from pathlib import Path

from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.isolation.registry import get_backend


def public_only(bundle: Bundle) -> Bundle:
    """``bundle`` with its hidden tests removed (the questions list only the public ones)."""
    public = [t for t in bundle.tests if not t.get("hidden")]
    names = {t["name"] for t in public}
    questions = [{**q, "tests": [n for n in q.get("tests", []) if n in names]} for q in bundle.questions]
    return dataclasses.replace(bundle, tests=public, questions=questions)


def outcome(result: dict) -> dict:
    """What the receipt page shows: each public test's status and message, and how the run ended."""
    tests = [{"question": name, "name": t["name"], "status": t.get("status", ""), "message": t.get("message") or ""}
             for name, q in result.get("questions", {}).items() for t in q.get("tests", [])]
    return {"state": "done", "exit_reason": result.get("exit_reason", ""),
            "exit_detail": result.get("exit_detail") or "", "tests": tests,
            "passed": sum(1 for t in tests if t["status"] == "passed"), "total": len(tests)}


class PublicChecks:
    def __init__(self, dist: Path, folder: Path, backend: str | None):
        self.dist, self.folder, self.backend = Path(dist), Path(folder), backend
        self.folder.mkdir(parents=True, exist_ok=True)
        self.waiting: deque[tuple[int, str, Path]] = deque()     # (receipt, assignment, notebook), in order
        self.running: int | None = None
        self.ready = threading.Condition()
        threading.Thread(target=self._work, daemon=True, name="public-checks").start()

    def submit(self, receipt_id: int, assignment: str, notebook: Path) -> None:
        with self.ready:
            self.waiting.append((receipt_id, assignment, notebook))
            self.ready.notify()

    def status(self, receipt_id: int) -> dict:
        """``{"state": "done", ...}`` (see :func:`outcome`), ``queued`` (with ``ahead``), ``running``
        or ``not_run`` (queued when the server stopped)."""
        path = self.folder / f"{receipt_id}.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        with self.ready:
            if self.running == receipt_id:
                return {"state": "running"}
            queued = [rid for rid, _, _ in self.waiting]
            if receipt_id in queued:
                return {"state": "queued", "ahead": queued.index(receipt_id) + (self.running is not None)}
        return {"state": "not_run"}

    def _work(self) -> None:
        while True:
            with self.ready:
                while not self.waiting:
                    self.ready.wait()
                receipt_id, assignment, notebook = self.waiting.popleft()
                self.running = receipt_id
            try:
                bundle = public_only(Bundle.load(self.dist / assignment / "autograder"))
                result = grade_notebook(bundle, Path(notebook).read_bytes(), get_backend(self.backend),
                                        student=f"receipt-{receipt_id}")
                self._write(receipt_id, outcome(result))
            except Exception as e:  # noqa: BLE001 - the worker goes on; staff read why in the log
                print(f"public tests of receipt {receipt_id} ({assignment}) could not run: {type(e).__name__}: {e}",
                      file=sys.stderr, flush=True)
                self._write(receipt_id, {"state": "failed"})
            finally:
                with self.ready:
                    self.running = None

    def _write(self, receipt_id: int, data: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".check-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, self.folder / f"{receipt_id}.json")
