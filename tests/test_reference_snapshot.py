"""``ref.snapshot``: a value recorded at release and replayed at grading; a baseline passed as a
function runs at release only (a grading never pays for it, nor runs the student's code for it)."""

from __future__ import annotations

from autograder.grading.reference_replay import ReplayReference
from autograder.release.record_reference import recorder


def test_a_snapshot_function_runs_at_release_and_never_at_grading():
    calls = []
    rec = recorder(lambda name: None)
    assert rec.snapshot("baseline", lambda: calls.append(1) or 0.25) == 0.25
    assert rec.snapshot("measured", 0.5) == 0.5
    assert calls == [1]

    def must_not_run():
        raise AssertionError("a grading ran the reference's baseline")

    replay = ReplayReference(rec.entries)
    assert replay.snapshot("baseline", must_not_run) == 0.25
    assert replay.snapshot("measured", 0.1) == 0.5, "grading answers the recorded value, not the one passed"
