"""A sample graded class for the report/export tests, written without running any grading.

A fake release (``dist/<id>/autograder``: tests.json with hidden tests holding secret strings,
questions.json, assignment.toml, reference.json), result JSONs under ``results/<id>/`` and
gradebook rows through ``Gradebook.record`` exactly as ``grade_class`` writes them, for:
the solution (full marks, with artifacts), the untouched template (zero), two mutants, a
timeout, a crash, an out-of-memory, an invalid file, a late submission, a late borderline
one, an overridden one and one whose stored result leaks a hidden assertion (as a buggy or
older engine could have written it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from autograder.gradebook import Gradebook

AID = "07-sample"
TITLE = "Sample assignment (report tests)"
DEADLINE = datetime(2030, 1, 15, 23, 59, tzinfo=timezone.utc)

# strings that live only in hidden tests and the reference: no student page may show them
SECRETS = ["SECRET_INPUT_kiwi", "EXPECTED_VALUE_zanzibar_9137", "np.testing.assert_allclose(big_secret",
           "REFERENCE_SECRET_quasar", "hidden_oracle_pelican", "0.7312", "STAFF_DETAIL_walrus_42"]
Q1_HIDDEN_FAILURE = "mean_abs is wrong when signs are mixed"

TESTS = [
    {"name": "q1 - 1", "question": "q1", "points": 1.0, "hidden": False, "success_message": "",
     "failure_message": "", "uses_ref": False, "cell": 10, "code": "assert mean_abs([1, -1]) == 1.0"},
    {"name": "q1 - 2", "question": "q1", "points": 1.0, "hidden": True, "success_message": "",
     "failure_message": Q1_HIDDEN_FAILURE, "uses_ref": True, "cell": 11,
     "code": "SECRET_INPUT_kiwi = [-3.0, 1.0, 2.0]\n"
             "assert mean_abs(SECRET_INPUT_kiwi) == ref.mean_abs(SECRET_INPUT_kiwi)  # EXPECTED_VALUE_zanzibar_9137"},
    {"name": "q2 - 1", "question": "q2", "points": 1.0, "hidden": False, "success_message": "softmax sums to one",
     "failure_message": "softmax(x) must sum to 1", "uses_ref": False, "cell": 20,
     "code": "p = softmax(np.array([0.0, 1.0, 2.0]))\nnp.testing.assert_allclose(p.sum(), 1.0)"},
    {"name": "q2 - 2", "question": "q2", "points": 2.0, "hidden": True, "success_message": "", "failure_message": "",
     "uses_ref": False, "cell": 21,
     "code": "big = softmax(np.array([1000.0, 1000.0]))\n"
             "np.testing.assert_allclose(big_secret, [0.7312, 0.2688], err_msg='hidden_oracle_pelican')"},
]
QUESTIONS = [{"name": "q1", "points": 2, "manual": False, "all_or_nothing": False, "tests": ["q1 - 1", "q1 - 2"]},
             {"name": "q2", "points": 3, "manual": False, "all_or_nothing": False, "tests": ["q2 - 1", "q2 - 2"]},
             {"name": "q3", "points": 1, "manual": True, "all_or_nothing": False, "tests": []}]
TOML = f'''title = "{TITLE}"
deadline = {DEADLINE.isoformat()}
points = 6

[late]
policy = "per_day"
percent_per_day = 10
max_days = 3
'''
ARTIFACTS = {
    "samples": [{"input": "Summarise: #Person1#: Are we still on for lunch? #Person2#: Yes, noon.",
                 "student": "They confirm lunch at noon.", "reference": "The two agree to meet for lunch at noon."},
                {"input": "Summarise: <b>not bold</b> & friends",
                 "student": "<script>alert(1)</script>", "reference": "Friends & tags."}],
    "curves": {"train loss": [2.3, 1.9, 1.5, 1.2, 1.05, 0.98], "eval loss": [2.4, 2.0, 1.7, 1.5, 1.45, 1.44]},
    "metrics": [{"name": "ROUGE-L", "student": 0.41, "reference": 0.44, "threshold": 0.35},
                {"name": "perplexity", "student": 12.5, "reference": 11.9, "threshold": 15.0}],
}


def _test(name: str, status: str = "passed", message: str | None = None) -> dict:
    spec = next(t for t in TESTS if t["name"] == name)
    passed = status == "passed"
    if message is None:
        if passed:
            message = spec["success_message"]
        elif spec["hidden"]:
            message = spec["failure_message"] or "A hidden test failed."
        else:
            message = "assertion failed"
    return {"name": name, "question": spec["question"], "hidden": spec["hidden"],
            "points": spec["points"] if passed else 0.0, "max_points": spec["points"], "status": status,
            "message": message, "seconds": 0.01}


def _result(student: str, tests: list[dict], *, exit_reason: str = "ok", exit_detail: str = "",
            cells: list[dict] | None = None, runtime: float = 1.0, memory: float | None = 120.0,
            restarts: int = 0, artifacts: dict | None = None) -> dict:
    by_q = {q["name"]: [t for t in tests if t["question"] == q["name"]] for q in QUESTIONS}
    questions = {q["name"]: {"points": sum(t["points"] for t in by_q[q["name"]]), "max_points": q["points"],
                             "manual": q["manual"], "tests": by_q[q["name"]]} for q in QUESTIONS}
    result = {"assignment": AID, "student": student,
              "score": sum(q["points"] for q in questions.values() if not q["manual"]), "max_score": 5,
              "exit_reason": exit_reason, "exit_detail": exit_detail, "questions": questions,
              "cells": cells if cells is not None else [_cell(3), _cell(7), _cell(17)],
              "runtime_s": runtime, "peak_memory_mb": memory, "restarts": restarts, "backend": "sandbox",
              "notebook_sha256": f"{abs(hash(student)):064x}"[:64], "graded_at": "2030-01-20T10:00:00Z"}
    if artifacts:
        result["artifacts"] = artifacts
    return result


def _cell(index: int, status: str = "ok", error: str | None = None, truncated: bool = False) -> dict:
    return {"index": index, "status": status, "error": error, "stdout": "", "truncated": truncated, "seconds": 0.1}


def _all(status: str = "passed") -> list[dict]:
    return [_test(t["name"], status) for t in TESTS]


OOM_DETAIL = "the notebook's process was killed (most likely it used more memory than allowed)"


def sample_results() -> list[tuple[dict, int, float]]:
    """(result, late days, late penalty) for every sample student."""
    not_run_oom = f"not run: cell 7: {OOM_DETAIL}"
    r = [
        (_result("solution", _all(), artifacts=ARTIFACTS, runtime=3.2, memory=210.0), 0, 0.0),
        (_result("template", [_test("q1 - 1", "failed"), _test("q1 - 2", "error"),
                              _test("q2 - 1", "error", "softmax(x) must sum to 1\nAttributeError: 'NoneType' "
                                                       "object has no attribute 'sum'"),
                              _test("q2 - 2", "error")]), 0, 0.0),
        (_result("mutant-q1", [_test("q1 - 1"), _test("q1 - 2", "failed"), _test("q2 - 1"), _test("q2 - 2")]), 0, 0.0),
        (_result("mutant-q2", [_test("q1 - 1"), _test("q1 - 2"), _test("q2 - 1", "failed", "softmax(x) must sum to 1"),
                               _test("q2 - 2", "failed")]), 0, 0.0),
        (_result("slowpoke", [_test("q1 - 1", "error", "NameError: name 'mean_abs' is not defined"),
                              _test("q1 - 2", "error"), _test("q2 - 1"), _test("q2 - 2")],
                 exit_reason="timeout", exit_detail="a cell ran past its time limit and was interrupted",
                 cells=[_cell(3), _cell(7, "timeout", "<cell 7>: cell ran longer than 30 s"), _cell(17)],
                 runtime=95.0), 0, 0.0),
        (_result("crasher", [_test("q1 - 1"), _test("q1 - 2"),
                             _test("q2 - 1", "crash", "the notebook's process exited with code 1"),
                             _test("q2 - 2", "crash", "the notebook's process exited with code 1")],
                 exit_reason="crash", exit_detail="cell 17: the notebook's process exited with code 1",
                 cells=[_cell(3), _cell(7), _cell(17, "crash", "the notebook's process exited with code 1")],
                 restarts=2), 0, 0.0),
        (_result("memhog", [_test("q1 - 1"), _test("q1 - 2"), _test("q2 - 1", "out-of-memory", not_run_oom),
                            _test("q2 - 2", "out-of-memory", not_run_oom)],
                 exit_reason="out-of-memory", exit_detail=f"cell 7: {OOM_DETAIL}",
                 cells=[_cell(3), _cell(7, "out-of-memory", OOM_DETAIL)], memory=1024.0, restarts=2), 0, 0.0),
        (_result("late-larry", _all(), runtime=2.0), 2, 0.2),
        (_result("borderline", [_test("q1 - 1"), _test("q1 - 2"), _test("q2 - 1"),
                                _test("q2 - 2", "failed")]), 1, 0.1),
        (_result("overridden", [_test("q1 - 1"), _test("q1 - 2", "failed"), _test("q2 - 1"), _test("q2 - 2")]), 0, 0.0),
        (_result("leaky", [_test("q1 - 1"),
                           {**_test("q1 - 2", "failed", "AssertionError: assert mean_abs(SECRET_INPUT_kiwi) == "
                                                        "ref.mean_abs(SECRET_INPUT_kiwi)  # EXPECTED_VALUE_zanzibar_9137"),
                            # the engine keeps a hidden failure's real text, for staff only
                            "staff_detail": "AssertionError: STAFF_DETAIL_walrus_42"},
                           _test("q2 - 1"),
                           _test("q2 - 2", "crash", "died in np.testing.assert_allclose(big_secret, [0.7312, 0.2688], "
                                                    "err_msg='hidden_oracle_pelican')")],
                 cells=[_cell(3), _cell(7, "error", "Traceback (most recent call last):\n  File \"<cell 7>\", line 2\n"
                                                    "ZeroDivisionError: division by zero\n" + "x" * 3000)]), 0, 0.0),
    ]
    invalid = {"assignment": AID, "student": "broken", "score": 0.0, "max_score": 5, "exit_reason": "invalid",
               "exit_detail": "broken.ipynb: not a notebook (Expecting value: line 1 column 1)",
               "questions": {q["name"]: {"points": 0.0, "max_points": q["points"], "manual": q["manual"], "tests": []}
                             for q in QUESTIONS},
               "cells": [], "runtime_s": 0.0, "peak_memory_mb": None, "restarts": 0, "backend": None,
               "notebook_sha256": None, "graded_at": "2030-01-20T10:00:00Z"}
    r.append((invalid, 0, 0.0))
    return r


@dataclass
class SampleClass:
    root: Path
    dist: Path
    bundle: Path
    results: Path
    db_url: str
    gradebook: Gradebook


def build_sample_class(root: Path) -> SampleClass:
    root = Path(root)
    bundle = root / "dist" / AID / "autograder"
    bundle.mkdir(parents=True)
    (bundle / "tests.json").write_text(json.dumps({"assignment": AID, "tests": TESTS}, indent=1))
    (bundle / "questions.json").write_text(json.dumps({"assignment": AID, "total_points": 6,
                                                      "questions": QUESTIONS}, indent=1))
    (bundle / "assignment.toml").write_text(TOML)
    (bundle / "reference.json").write_text(json.dumps({"mean_abs": "REFERENCE_SECRET_quasar"}))
    results = root / "results" / AID
    results.mkdir(parents=True)
    url = f"sqlite:///{root / 'gradebook.db'}"
    gb = Gradebook(url)
    for result, days, penalty in sample_results():
        submitted = DEADLINE + timedelta(days=days, hours=-3) if days else DEADLINE - timedelta(hours=5)
        result["late"] = {"days": days, "penalty": penalty, "submitted_at": submitted.isoformat()}
        (results / f"{result['student']}.json").write_text(json.dumps(result, indent=2, sort_keys=True))
        gb.record(result, submitted_at=submitted, late_days=days, late_penalty=penalty)
    gb.add_override(AID, "overridden", "q1", 2.0, "q1 - 2 was too strict about -0.0; checked by hand", "ta_jane")
    return SampleClass(root, root / "dist", bundle, results, url, gb)
