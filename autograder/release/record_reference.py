"""Recording the reference at release: the solution runs once as a submission, and every test's
``ref.<name>(...)`` is answered by the solution's own process and stored in ``reference.json``
(``autograder.grading.reference_replay`` answers from it at grading).

The same run records, grader-only, what validate's probes need (``autograder.release.probes``):
the notebook values each hidden test read (``notebook_reads.json``) and the model and adapter
folders the solution saved, with the tests that read them (``saved_artefacts.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.errors import CourseError
from autograder.grading.bundle import Bundle
from autograder.grading.engine import Grading
from autograder.grading.reference_replay import SNAPSHOT, entry_key
from autograder.isolation import wire
from autograder.release.probes import describe_artefact, find_artefacts, save_artefacts, save_reads
from autograder.isolation.local import LocalBackend
from course_lib.models import zoo


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


class _RecordingGrading(Grading):
    """The solution's grading run, which also notes the folders it saved models or adapters into
    (the work dir is deleted when ``run()`` returns, so they are listed each time a process of the
    run ends, the last time after every test) and which folders each test read (``student_path``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved: list[tuple[str, str]] = []                # (folder, kind), as find_artefacts gives them
        self.described: list[dict] = []
        self.paths_read: dict[str, set[str]] = {}             # test -> the paths it asked student_path for
        self.zoo_names: list[str] = []

    def _run_test(self, test: dict) -> dict:
        safe = self.safe
        seen = self.paths_read.setdefault(test["name"], set())

        class _Spy:
            def path(_, rel):
                seen.add(Path(str(rel)).as_posix())
                return safe.path(rel)

        self.safe = _Spy()
        try:
            return super()._run_test(test)
        finally:
            self.safe = safe

    def _finish(self, proc, launch) -> None:
        super()._finish(proc, launch)
        self.saved = find_artefacts(self.workdir)
        self.described = [describe_artefact(self.workdir, rel, kind, self.zoo_names) for rel, kind in self.saved]


def record(autograder_dir: Path, backend=None) -> dict:
    """Run the solution notebook once as a submission and store what ``ref`` answered.

    Returns the solution's grading result; raises ``ReferenceFailure`` naming every test the
    solution itself fails (a release whose solution does not pass its own tests is wrong).
    """
    bundle = Bundle.load(autograder_dir)
    solution = (Path(autograder_dir) / "solution.ipynb").read_bytes()
    grading = _RecordingGrading(bundle, solution, backend or LocalBackend(), student="reference", record_reads=True)
    grading.zoo_names = list(bundle.config.requires.models) or list(zoo.ZOO)
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
    save_artefacts(autograder_dir, grading.described, grading.paths_read)
    return result


REFERENCE_RUN = "reference_run.json"     # beside autograder/, not in it: graders never read it


def outcomes(result: dict) -> list[list]:
    """Each test's ``[name, status, points]``, in order: what two runs of one notebook must share."""
    return [[t["name"], t["status"], t["points"]] for q in result["questions"].values() for t in q["tests"]]


def save_reference_run(path: Path, result: dict) -> None:
    """The recording run's outcome per test, for validate's quick rerun check. No timings: the same
    master gives the same release, byte for byte (validate's solution row gives the seconds)."""
    path.write_text(json.dumps({"score": result["score"], "tests": outcomes(result)}) + "\n")


def load_reference_run(release_dir: Path) -> dict | None:
    """What :func:`save_reference_run` wrote for this release, or None (a release from before it)."""
    path = Path(release_dir) / REFERENCE_RUN
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
