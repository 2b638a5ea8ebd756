"""`course extend` (issue 28): an extension moves a late submission's penalty without running the
notebook again, shows on the student's page with its reason, and comes off again; a roster-level
accommodation holds for an assignment released after it was recorded."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.authoring.config import load_config
from autograder.cli import course
from autograder.gradebook import Gradebook
from autograder.release.pipeline import release
from autograder.student.submit import submit
from toy_notebooks import TOY_DIR, TOY_ID

DEADLINE = load_config(TOY_DIR / "assignment.toml").deadline        # per_day, 10 % a day


def run(*args: str) -> str:
    result = CliRunner().invoke(course, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def late_zip(folder: Path, dist: Path, student: str, days_late: float) -> None:
    """The toy's solution submitted ``days_late`` days after the deadline."""
    folder.mkdir(exist_ok=True)
    notebook = folder / f".{student}.ipynb"
    notebook.write_bytes((dist / TOY_ID / "autograder" / "solution.ipynb").read_bytes())
    when = DEADLINE + timedelta(days=days_late)
    zipped = submit(notebook, student, out_dir=folder, now=when)
    os.utime(zipped, (when.timestamp(), when.timestamp()))     # received then (the manifest's time is not trusted)
    notebook.unlink()


@pytest.fixture
def term(tmp_path):
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    return tmp_path, db, Gradebook(db)


def grade(tmp_path: Path, dist: Path, subs: Path, db: str) -> None:
    run("grade", TOY_ID, str(subs), "--dist", str(dist), "--backend", "local", "--db", db,
        "--results", str(tmp_path / "results"))


def test_an_extension_lifts_the_penalty_without_a_regrade_and_comes_off_again(term):
    tmp_path, db, gb = term
    dist = release(TOY_DIR, tmp_path / "dist").folder.parent
    subs = tmp_path / "subs"
    late_zip(subs, dist, "sam", 1.5)                     # two days late (a part of a day counts)
    grade(tmp_path, dist, subs, db)
    before = gb.grade(TOY_ID, "sam")
    assert (before.late_days, before.late_penalty) == (2, 0.2)

    out = run("extend", TOY_ID, "sam", "--days", "3", "--reason", "medical certificate, seen by the office",
              "--by", "prof_lee", "--db", db, "--dist", str(dist))
    after = gb.grade(TOY_ID, "sam")
    assert (after.late_days, after.late_penalty) == (0, 0.0)
    assert after.graded_at == before.graded_at and after.notebook_sha256 == before.notebook_sha256, "not regraded"
    assert "final score 4 -> 5 / 5" in out           # the toy autogrades 5 points (q3 is staff-graded)

    reports = tmp_path / "reports"
    run("report", TOY_ID, "--db", db, "--dist", str(dist), "--out", str(reports))
    page = (reports / "sam.html").read_text()
    new_deadline = (DEADLINE + timedelta(days=3)).strftime("%Y-%m-%d")
    assert "Deadline extended to" in page and new_deadline in page and "prof_lee" in page
    assert "medical certificate, seen by the office" in page and "On time" in page
    assert "medical certificate" in (reports / "index.html").read_text(), "the dashboard lists extensions"

    run("extend", TOY_ID, "sam", "--remove", "--db", db, "--dist", str(dist))
    again = gb.grade(TOY_ID, "sam")
    assert (again.late_days, again.late_penalty) == (2, 0.2)
    assert json.loads(again.result_json)["late"]["penalty"] == 0.2


def test_a_roster_accommodation_holds_for_an_assignment_released_later(term):
    tmp_path, db, gb = term
    run("extend", "--all", "ray", "--days", "3", "--reason", "accommodation letter", "--by", "office",
        "--db", db, "--dist", str(tmp_path / "dist"))
    dist = release(TOY_DIR, tmp_path / "dist").folder.parent           # released after the accommodation
    subs = tmp_path / "subs"
    late_zip(subs, dist, "ray", 2.5)                     # within the three extra days
    late_zip(subs, dist, "kim", 2.5)                     # no accommodation: three days late
    grade(tmp_path, dist, subs, db)
    assert (gb.grade(TOY_ID, "ray").late_days, gb.grade(TOY_ID, "ray").late_penalty) == (0, 0.0)
    assert (gb.grade(TOY_ID, "kim").late_days, gb.grade(TOY_ID, "kim").late_penalty) == (3, 0.3)
    # extensions do not add up: a shorter one for this assignment leaves the accommodation's deadline
    run("extend", TOY_ID, "ray", "--days", "1", "--reason", "flu", "--db", db, "--dist", str(dist))
    assert gb.grade(TOY_ID, "ray").late_penalty == 0.0


@pytest.mark.parametrize("args, words", [
    (["--days", "2"], "--reason is required"),
    (["--reason", "x"], "--days N or --until DATE"),
    (["--days", "0", "--reason", "x"], "positive number of days"),
    (["--until", "2030-01-20", "--reason", "x"], "has no timezone"),
    (["--until", "soon", "--reason", "x"], "is not a date and time"),
])
def test_bad_extensions_are_one_line(term, args, words):
    tmp_path, db, gb = term
    result = CliRunner().invoke(course, ["extend", TOY_ID, "sam", *args, "--db", db])
    assert result.exit_code != 0 and "Traceback" not in result.output and words in result.output, result.output
    assert gb.extensions() == []
