"""The reference solution as tests see it at grading: ``ref.<name>(...)``, recorded once, replayed forever.

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

from autograder.isolation import wire

SNAPSHOT = "reference.json"


class MissingReference(Exception):
    """A test asked the reference something it was not asked at release time."""


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
        plain = entry_key(name, None, None)
        if plain in self._entries:
            return self._answer(plain, name)

        def replay(*args, **kwargs):
            return self._answer(entry_key(name, args, kwargs), f"{name}(...) with these arguments")
        return replay

    def snapshot(self, key: str, value=None):
        return self._answer(entry_key("snapshot:" + key, None, None), f"for the snapshot {key!r}")


def entry_key(name: str, args, kwargs) -> str:
    if args is None:
        return name
    return f"{name}:{wire.digest([list(args), dict(sorted(kwargs.items()))])}"
