"""The grading result: one constructor scores it, a submission that never ran gets the same shape,
and results stored before the typed results existed still load into the gradebook and the pages."""

from __future__ import annotations

import json

from autograder.gradebook import Gradebook, final_score
from autograder.grading.results import grading_result, without_results, without_staff_detail
from autograder.reports.model import student_view

QUESTIONS = [{"name": "q1", "points": 2.0, "manual": False},
             {"name": "q2", "points": 3.0, "manual": False, "all_or_nothing": True},
             {"name": "q3", "points": 4.0, "manual": True}]


def _test(name, question, status, points, max_points, **extra):
    return {"name": name, "question": question, "hidden": False, "points": points, "max_points": max_points,
            "status": status, "message": "", "seconds": 0.1, **extra}


def test_one_constructor_scores_by_question():
    tests = [_test("q1 - 1", "q1", "passed", 1.0, 1.0), _test("q1 - 2", "q1", "failed", 0.0, 1.0),
             _test("q2 - 1", "q2", "passed", 1.5, 1.5), _test("q2 - 2", "q2", "failed", 0.0, 1.5,
                                                                  staff_detail="assert 0.7 >= 0.8")]
    r = grading_result("lab", QUESTIONS, "ada", tests, exit_reason="ok", exit_detail="", notebook=b"{}")
    assert r["questions"]["q1"]["points"] == 1.0
    assert r["questions"]["q2"]["points"] == 0.0            # all or nothing: one failed test loses it all
    assert r["score"] == 1.0 and r["max_score"] == 5.0       # the manual question is in neither
    assert r["notebook_sha256"] == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    stored = without_staff_detail(r)
    assert "staff_detail" not in json.dumps(stored) and "staff_detail" in json.dumps(r)


def test_a_submission_that_never_ran_scores_zero_with_its_reason():
    r = without_results("lab", QUESTIONS, "bob", "bob.zip: not a zip file", notebook=b"PK\x03")
    assert r["exit_reason"] == "invalid" and r["exit_detail"] == "bob.zip: not a zip file"
    assert r["score"] == 0.0 and r["max_score"] == 5.0
    assert {name: q["points"] for name, q in r["questions"].items()} == {"q1": 0.0, "q2": 0.0, "q3": 0.0}
    assert set(r) == set(grading_result("lab", QUESTIONS, "x", [], exit_reason="ok", exit_detail=""))


def test_a_result_stored_before_the_types_still_loads(tmp_path):
    # as class grading wrote an unreadable submission's result before results.py: no "artifacts" key
    old = {"assignment": "lab", "student": "cy", "score": 0.0, "max_score": 5.0, "exit_reason": "invalid",
           "exit_detail": "cy.ipynb: not a readable notebook", "cells": [], "runtime_s": 0.0,
           "peak_memory_mb": None, "restarts": 0, "backend": None, "notebook_sha256": None,
           "graded_at": "2026-10-01T12:00:00Z",
           "questions": {q["name"]: {"points": 0.0, "max_points": q["points"], "manual": q["manual"], "tests": []}
                         for q in QUESTIONS}}
    gb = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    gb.record(old)
    grade = gb.grades("lab")[0]
    assert final_score(grade, [])[0] == 0.0
    view = student_view(grade, [])
    assert view.student == "cy" and view.artifacts is None and "not a readable notebook" in view.exit_detail
