"""What grading one submission produces: the result written to ``results/<id>/<student>.json``,
stored in the gradebook and read by the reports.

The types say which keys a result has; on disk it stays plain JSON (``TypedDict``s are
dicts), so results and gradebooks written before these types existed still load.
:func:`grading_result` is the one constructor: the engine calls it after a run, and
:func:`without_results` calls it for a submission that never ran (an unreadable file).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Literal, NotRequired, TypedDict

ExitReason = Literal["ok", "timeout", "crash", "out-of-memory", "invalid"]
# the worst incident of a run names its exit reason
SEVERITY: dict[str, int] = {"ok": 0, "timeout": 1, "crash": 2, "out-of-memory": 3, "invalid": 4}


class TestResult(TypedDict):
    name: str
    question: str
    hidden: bool
    points: float
    max_points: float
    status: str                 # passed | failed | error | timeout | crash | out-of-memory | invalid
    message: str
    seconds: float
    staff_detail: NotRequired[str]     # a hidden test's real text: in memory only, never stored


class QuestionResult(TypedDict):
    points: float
    max_points: float
    manual: bool
    tests: list[TestResult]


class GradingResult(TypedDict):
    assignment: str
    student: str | None
    score: float
    max_score: float
    exit_reason: ExitReason
    exit_detail: str
    questions: dict[str, QuestionResult]
    cells: list[dict]
    runtime_s: float
    peak_memory_mb: float | None
    restarts: int
    backend: str | None
    artifacts: dict | None      # what tests chose to show the student (autograder.grading.feedback)
    notebook_sha256: str | None
    graded_at: str


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def grading_result(assignment: str, questions: list[dict], student: str | None, tests: list[TestResult], *,
                   exit_reason: ExitReason, exit_detail: str, cells: list[dict] | None = None,
                   runtime_s: float = 0.0, peak_memory_mb: float | None = None, restarts: int = 0,
                   backend: str | None = None, artifacts: dict | None = None,
                   notebook: bytes | None = None) -> GradingResult:
    """Score ``tests`` by question (``questions``: the bundle's question specs) into a result.

    A question's points are the sum of its tests' points, or zero when it is all-or-nothing and
    a test did not pass; manual questions count in neither the score nor its maximum."""
    per_question: dict[str, QuestionResult] = {}
    for q in questions:
        qtests = [t for t in tests if t["question"] == q["name"]]
        earned = float(sum(t["points"] for t in qtests))
        if q.get("all_or_nothing") and any(t["status"] != "passed" for t in qtests):
            earned = 0.0
        per_question[q["name"]] = {"points": round(earned, 6), "max_points": q["points"], "manual": q["manual"],
                                   "tests": qtests}
    return {
        "assignment": assignment, "student": student,
        "score": round(sum(q["points"] for q in per_question.values() if not q["manual"]), 6),
        "max_score": round(sum(q["points"] for q in questions if not q["manual"]), 6),
        "exit_reason": exit_reason, "exit_detail": exit_detail, "questions": per_question,
        "cells": list(cells or []), "runtime_s": round(runtime_s, 3),
        "peak_memory_mb": round(peak_memory_mb, 1) if peak_memory_mb else None,
        "restarts": restarts, "backend": backend, "artifacts": artifacts,
        "notebook_sha256": hashlib.sha256(notebook).hexdigest() if notebook else None, "graded_at": now(),
    }


def without_results(assignment: str, questions: list[dict], student: str, error: str,
                    notebook: bytes | None = None) -> GradingResult:
    """A submission that could not be run (unreadable, not a notebook): zero on every question,
    with the reason."""
    return grading_result(assignment, questions, student, [], exit_reason="invalid", exit_detail=error,
                          notebook=notebook)


def without_staff_detail(result: GradingResult) -> GradingResult:
    """The result as it may be stored and shown: a failed hidden test's real text (``staff_detail``,
    for ``validate`` and ``release`` in memory) dropped. Stored results count as student-visible
    (Gradescope shows its results file), so they never hold a hidden test's assertion."""
    questions = {name: {**q, "tests": [{k: v for k, v in t.items() if k != "staff_detail"} for t in q["tests"]]}
                 for name, q in result.get("questions", {}).items()}
    return {**result, "questions": questions}
