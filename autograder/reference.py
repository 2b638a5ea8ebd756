"""The reference solution as tests see it: ``ref.<name>(...)``, recorded once, replayed forever.

At release, the master notebook's solution runs once as if it were a submission, and every
test runs against it with ``ref`` in *record* mode: ``ref.top_k_filter(x, 5)`` calls the
solution's own function and stores the result under the function's name and a digest of
its arguments. At grading, ``ref`` is in *replay* mode and answers from that snapshot: no
reference code runs, nothing heavy is retrained, and the reference cannot drift between
the release and the last regrade.

``ref.snapshot(key, value)`` records a value the test computed itself (for example the
ROUGE-L of the solution's fine-tuned model, evaluated by the test in the grading process)
and returns the recorded value when grading, so a test can say
``assert score >= ref.snapshot("ft_rouge", score) - 0.05``. A value that only the reference
needs (a baseline the student is not graded on) is passed as a function of no arguments,
``ref.snapshot("closed_book_f1", lambda: ...)``: it runs at release and never at grading.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder import wire

SNAPSHOT = "reference.json"


class MissingReference(Exception):
    """A test asked the reference something it was not asked at release time."""


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
                self.entries[_key(name, args, kwargs)] = wire.encode(result)
                return result
            return recorded
        self.entries[_key(name, None, None)] = wire.encode(value)
        return value

    def snapshot(self, key: str, value):
        if callable(value):
            value = value()
        self.entries[_key("snapshot:" + key, None, None)] = wire.encode(value)
        return value

    def save(self, folder: Path) -> Path:
        path = Path(folder) / SNAPSHOT
        path.write_text(json.dumps({"version": 1, "entries": self.entries}, sort_keys=True))
        return path


class ReplayReference:
    """``ref`` at grading time: answers from the release's snapshot, runs nothing."""

    def __init__(self, entries: dict):
        self._entries = entries

    @classmethod
    def load(cls, folder: str | Path) -> "ReplayReference":
        path = Path(folder) / SNAPSHOT
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"no reference snapshot at {path}: run `course release` first") from None
        return cls(data["entries"])

    def _answer(self, key: str, what: str):
        if key not in self._entries:
            raise MissingReference(
                f"the reference was never asked {what} at release time; tests must use fixed inputs "
                "(seeded) so that release and grading ask the same questions")
        return wire.decode(self._entries[key])

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        plain = _key(name, None, None)
        if plain in self._entries:
            return self._answer(plain, name)

        def replay(*args, **kwargs):
            return self._answer(_key(name, args, kwargs), f"{name}(...) with these arguments")
        return replay

    def snapshot(self, key: str, value=None):
        return self._answer(_key("snapshot:" + key, None, None), f"for the snapshot {key!r}")


def _key(name: str, args, kwargs) -> str:
    if args is None:
        return name
    return f"{name}:{wire.digest([list(args), dict(sorted(kwargs.items()))])}"


def recorder(lookup) -> _Recorder:
    return _Recorder(lookup)


def record(autograder_dir: Path, backend=None) -> dict:
    """Run the solution notebook once as a submission and store what ``ref`` answered.

    Returns the solution's grading result; raises ``ReferenceFailure`` naming every test the
    solution itself fails (a release whose solution does not pass its own tests is wrong).
    """
    from autograder.backends import LocalBackend
    from autograder.engine import Bundle, Grading

    bundle = Bundle.load(autograder_dir)
    solution = (Path(autograder_dir) / "solution.ipynb").read_bytes()
    grading = Grading(bundle, solution, backend or LocalBackend(), student="reference")
    rec = recorder(lambda name: grading._current().get(name))
    grading.reference = rec
    result = grading.run()
    failures = [f"{t['name']} ({t['status']}): {(t.get('staff_detail') or t['message'])[:600]}"
                for q in result["questions"].values() for t in q["tests"] if t["status"] != "passed"]
    if failures or result["exit_reason"] != "ok":
        detail = "" if result["exit_reason"] == "ok" else f"\n  exit: {result['exit_reason']}: {result['exit_detail']}"
        raise ReferenceFailure("the solution does not pass its own tests:\n  " + "\n  ".join(failures) + detail)
    rec.save(autograder_dir)
    return result


class ReferenceFailure(Exception):
    pass
