"""Recording the reference at release: the solution runs once as a submission, and every test's
``ref.<name>(...)`` is answered by the solution's own process and stored in ``reference.json``
(``autograder.grading.reference_replay`` answers from it at grading)."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.errors import CourseError
from autograder.grading.bundle import Bundle
from autograder.grading.engine import Grading
from autograder.grading.reference_replay import SNAPSHOT, entry_key
from autograder.isolation import wire
from autograder.release.probes import save_reads
from autograder.isolation.local import LocalBackend


class ReferenceFailure(CourseError):
    """The solution does not pass its own tests: the release is wrong, not the students."""


class _Recorder:
    """``ref`` at release time: forwards to the solution's process and remembers the answers."""

    def __init__(self, student_namespace_lookup):
        self._lookup = student_namespace_lookup   # name -> value / RemoteRef in the solution process
        self.entries: dict[str, object] = {}

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        value = self._lookup(name)
        if callable(value):
            def recorded(*args, **kwargs):
                result = value(*args, **kwargs)
                self.entries[entry_key(name, args, kwargs)] = wire.encode(result)
                return result
            return recorded
        self.entries[entry_key(name, None, None)] = wire.encode(value)
        return value

    def snapshot(self, key: str, value):
        if callable(value):
            value = value()
        self.entries[entry_key("snapshot:" + key, None, None)] = wire.encode(value)
        return value

    def save(self, folder: Path) -> Path:
        path = Path(folder) / SNAPSHOT
        path.write_text(json.dumps({"version": 1, "entries": self.entries}, sort_keys=True))
        return path


def recorder(lookup) -> _Recorder:
    return _Recorder(lookup)


def record(autograder_dir: Path, backend=None) -> dict:
    """Run the solution notebook once as a submission and store what ``ref`` answered.

    Returns the solution's grading result; raises ``ReferenceFailure`` naming every test the
    solution itself fails (a release whose solution does not pass its own tests is wrong).
    """
    bundle = Bundle.load(autograder_dir)
    solution = (Path(autograder_dir) / "solution.ipynb").read_bytes()
    grading = Grading(bundle, solution, backend or LocalBackend(), student="reference", record_reads=True)
    rec = recorder(lambda name: grading._current().get(name))
    grading.reference = rec
    result = grading.run()
    failures = [f"{t['name']} ({t['status']}): {(t.get('staff_detail') or t['message'])[:600]}"
                for q in result["questions"].values() for t in q["tests"] if t["status"] != "passed"]
    if failures or result["exit_reason"] != "ok":
        detail = "" if result["exit_reason"] == "ok" else f"\n  exit: {result['exit_reason']}: {result['exit_detail']}"
        raise ReferenceFailure("the solution does not pass its own tests:\n  " + "\n  ".join(failures) + detail)
    rec.save(autograder_dir)
    save_reads(autograder_dir, grading.reads, bundle.tests)
    return result
