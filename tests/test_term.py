"""The term in one table (issue 28): three assignments with a missing submission, an override, an
extension and a dropped lowest score; the page's and each export's totals equal a hand computation."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.authoring.late_policy import LatePolicy
from autograder.cli import course
from autograder.gradebook import Gradebook

DEADLINE = datetime(2030, 3, 1, 23, 59, tzinfo=timezone.utc)
POINTS = {"t1": {"a": 10}, "t2": {"a": 10}, "t3": {"a": 10, "b": 10}}
TITLES = {"t1": "Tokens", "t2": "Prompts", "t3": "Project"}
COURSE = """
title = "GenAI fall 2030"
missing = "{missing}"

[categories.labs]
weight = 70
drop_lowest = 1
assignments = ["t1", "t2"]

[categories.project]
weight = 30
assignments = ["t3"]
"""
# by hand, missing = "zero":
#   ann: labs t1 0.8, t2 0.6 (two days late, -20 %, lifted by an extension): 0.6 dropped -> 80 %;
#        project 15/20 = 75 %; total 0.7 * 80 + 0.3 * 75 = 78.5
#   ben: labs t1 1.0, t2 missing (0) dropped -> 100 %; project 10/20, q b overridden 0 -> 5: 75 %; total 92.5
#   cat: on the roster only: labs 0 %, project 0 %, total 0
HAND = {"ann": {"labs": 80.0, "project": 75.0, "total": 78.5},
        "ben": {"labs": 100.0, "project": 75.0, "total": 92.5},
        "cat": {"labs": 0.0, "project": 0.0, "total": 0.0}}
# missing = "excused": ben's labs are t1 alone (nothing left to drop); cat has no score at all
HAND_EXCUSED = {"ann": 78.5, "ben": 92.5, "cat": None}


def _result(assignment: str, student: str, points: dict[str, float]) -> dict:
    questions = {q: {"points": points[q], "max_points": top, "manual": False, "tests": []}
                 for q, top in POINTS[assignment].items()}
    return {"assignment": assignment, "student": student, "score": sum(points.values()),
            "max_score": sum(POINTS[assignment].values()), "exit_reason": "ok", "questions": questions,
            "graded_at": "2030-03-05T10:00:00+00:00", "notebook_sha256": f"{assignment}-{student}"}


@pytest.fixture
def term(tmp_path):
    dist = tmp_path / "dist"
    for a, qs in POINTS.items():
        bundle = dist / a / "autograder"
        bundle.mkdir(parents=True)
        (bundle / "questions.json").write_text(json.dumps(
            {"questions": [{"name": q, "points": p, "manual": False} for q, p in qs.items()]}))
        (bundle / "assignment.toml").write_text(f'title = "{TITLES[a]}"\n')
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    gb = Gradebook(db)
    on_time = DEADLINE - timedelta(hours=2)
    gb.record(_result("t1", "ann", {"a": 8}), submitted_at=on_time)
    gb.record(_result("t2", "ann", {"a": 6}), submitted_at=DEADLINE + timedelta(days=1.5), late_days=2,
              late_penalty=0.2)
    gb.record(_result("t3", "ann", {"a": 10, "b": 5}), submitted_at=on_time)
    gb.record(_result("t1", "ben", {"a": 10}), submitted_at=on_time)
    gb.record(_result("t3", "ben", {"a": 10, "b": 0}), submitted_at=on_time)
    gb.add_override("t3", "ben", "b", 5, "the test was too strict", "ta_jo")
    gb.add_extension("t2", "ann", "family emergency", "prof_lee", days=3)
    assert gb.reapply_lateness("t2", "ann", LatePolicy("per_day", 10), DEADLINE)[0].late_penalty == 0.0
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name,sis_user_id\nann,Ann A,S1\nben,Ben B,S2\ncat,Cat C,S3\n")
    return tmp_path, dist, db, roster


def _course(tmp_path: Path, missing: str = "zero") -> Path:
    path = tmp_path / f"course-{missing}.toml"
    path.write_text(COURSE.format(missing=missing))
    return path


def invoke(*args) -> str:
    result = CliRunner().invoke(course, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_csv_and_canvas_totals_equal_the_hand_computation(term):
    tmp_path, dist, db, roster = term
    common = ["--term", "--course", _course(tmp_path), "--db", db, "--dist", dist, "--roster", roster]
    table = list(csv.DictReader(io.StringIO(invoke("export", *common, "--format", "csv"))))
    by = {r["student"]: r for r in table}
    assert set(by) == set(HAND), "everyone on the roster has a row"
    for student, want in HAND.items():
        assert float(by[student]["labs %"]) == pytest.approx(want["labs"])
        assert float(by[student]["project %"]) == pytest.approx(want["project"])
        assert float(by[student]["total %"]) == pytest.approx(want["total"])
    assert (by["ann"]["t2"], by["ben"]["t2"], by["ben"]["t3"]) == ("6", "0", "15")

    rows = list(csv.reader(io.StringIO(invoke("export", *common, "--format", "canvas"))))
    # Canvas's documented import header: identity columns, then one "<title> (<id>)" per assignment
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Tokens (t1)", "Prompts (t2)",
                       "Project (t3)", "GenAI fall 2030 total (term)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10", "10", "20", "100"]
    canvas = {r[2]: r for r in rows[2:]}
    assert canvas["S1"][0] == "Ann A" and float(canvas["S1"][-1]) == 78.5
    assert float(canvas["S2"][-1]) == 92.5 and canvas["S3"][5:] == ["0", "0", "0", "0"]

    gs = CliRunner().invoke(course, ["export", *map(str, common), "--format", "gradescope"])
    assert gs.exit_code == 1 and "one assignment's scores per upload" in gs.output


def test_excused_missing_work_leaves_the_category(term):
    tmp_path, dist, db, roster = term
    out = invoke("export", "--term", "--course", _course(tmp_path, "excused"), "--db", db, "--dist", dist,
                 "--roster", roster)
    by = {r["student"]: r for r in csv.DictReader(io.StringIO(out))}
    for student, total in HAND_EXCUSED.items():
        assert (by[student]["total %"] or None) == (None if total is None else f"{total:g}")
    assert by["cat"]["t1"] == "" and by["ben"]["t2"] == ""


def test_the_term_page(term):
    tmp_path, dist, db, roster = term
    out = tmp_path / "reports" / "term"
    invoke("report", "--term", "--course", _course(tmp_path), "--db", db, "--dist", dist, "--roster", roster,
           "--out", out)
    page = (out / "index.html").read_text()
    for student, want in HAND.items():
        assert f"{want['total']:.1f} %" in page, student
    assert page.count(">missing<") == 4, "ben's t2 and cat's three"
    assert "weight 70.0 %" in page and "the lowest 1 dropped" in page and "data:image/png;base64," in page
    assert 'class="num dropped"' in page and ">ext<" in page and ">override<" in page


@pytest.mark.parametrize("text, words", [
    ('missing = "maybe"\n[categories.a]\nweight = 1\nassignments = ["t1"]', '`missing` must be "zero" or "excused"'),
    ('[categories.a]\nweight = 0\nassignments = ["t1"]', "`weight` must be a number above 0"),
    ('[categories.a]\nweight = 1\nassignments = ["t1"]\n[categories.b]\nweight = 1\nassignments = ["t1"]',
     "another category has too"),
    ("title = 'x'", "needs at least one [categories.<name>]"),
])
def test_a_bad_course_toml_is_one_line(term, text, words):
    tmp_path, dist, db, _ = term
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = CliRunner().invoke(course, ["report", "--term", "--course", str(path), "--db", db, "--dist", str(dist)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    line = result.output.strip().splitlines()[-1]
    assert str(path) in line and words in line, line


@pytest.mark.browser
def test_the_term_page_in_headless_chromium(term):
    from test_report_browser import SCREENSHOTS, offline_page

    tmp_path, dist, db, roster = term
    out = tmp_path / "reports" / "term"
    invoke("report", "--term", "--course", _course(tmp_path), "--db", db, "--dist", dist, "--roster", roster,
           "--out", out)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with offline_page(1200) as (page, problems):
        page.goto((out / "index.html").as_uri(), wait_until="load")
        assert page.eval_on_selector("img.plot", "i => i.complete && i.naturalWidth > 0")
        rows = page.locator("#students tbody tr")
        assert rows.count() == 3
        assert rows.nth(0).locator("td").last.inner_text() == "78.5 %"
        dropped = page.locator("td.dropped").first
        assert "line-through" in dropped.evaluate("e => getComputedStyle(e).textDecorationLine")
        page.screenshot(path=str(SCREENSHOTS / "term.png"), full_page=True)
    assert problems == []
