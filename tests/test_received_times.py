"""Lateness counts from when a submission was received, never from the student's own clock.

A zip whose manifest was edited to claim an on-time submission (its notebook's checksum still
matches) keeps the late penalty of the time the collection folder received it, and the
dashboard lists it for a human. ``--received`` (a CSV the LMS exports) overrides the files'
times; Canvas's ``late`` marker makes a submission late even where the file's time says not.
"""

from __future__ import annotations

import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.authoring.config import load_config
from autograder.cli import course
from autograder.gradebook import Gradebook
from autograder.grading.submissions import SubmissionsError, read_received
from autograder.release.pipeline import release
from autograder.reports.model import AssignmentInfo, load_class
from autograder.student.submit import submit
from toy_notebooks import TOY_DIR, TOY_ID

DEADLINE = load_config(TOY_DIR / "assignment.toml").deadline


def received(path: Path, when) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def forge_manifest_time(zipped: Path, claimed) -> None:
    """Rewrite the manifest's submitted_at (the notebook and its checksum untouched)."""
    with zipfile.ZipFile(zipped) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["submitted_at"] = claimed.isoformat().replace("+00:00", "Z")
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(zipped, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.fixture
def graded(tmp_path):
    dist = tmp_path / "dist"
    release(TOY_DIR, dist)
    subs = tmp_path / "subs"
    subs.mkdir()
    solution = (dist / TOY_ID / "autograder" / "solution.ipynb").read_bytes()
    two_days_late = DEADLINE + timedelta(days=1, hours=2)

    nb = tmp_path / "work.ipynb"
    nb.write_bytes(solution)
    forged = submit(nb, "mallory", out_dir=subs, now=two_days_late)
    forge_manifest_time(forged, DEADLINE - timedelta(hours=1))
    received(forged, two_days_late)
    honest = submit(nb, "olive", out_dir=subs, now=DEADLINE - timedelta(hours=1))
    received(honest, DEADLINE - timedelta(hours=1))
    late_in_csv = submit(nb, "quinn", out_dir=subs, now=DEADLINE - timedelta(hours=1))
    received(late_in_csv, DEADLINE - timedelta(hours=1))       # the copy is old; the LMS says late
    canvas = subs / f"smithdan_late_4242_99_{TOY_ID}.ipynb"    # Canvas marks it late
    canvas.write_bytes(solution)
    received(canvas, DEADLINE - timedelta(days=1))
    csv = tmp_path / "received.csv"
    csv.write_text(f"Student,Submission Time\nquinn,{(DEADLINE + timedelta(days=2, hours=1)).isoformat()}\n")

    db = f"sqlite:///{tmp_path / 'gb.db'}"
    done = CliRunner().invoke(course, ["grade", TOY_ID, str(subs), "--dist", str(dist), "--db", db, "--backend",
                                       "local", "--results", str(tmp_path / "results"), "--received", str(csv)])
    assert done.exit_code == 0, done.output
    return Gradebook(db), dist


def test_lateness_counts_from_the_received_time(graded):
    gb, _ = graded
    penalties = {s: (gb.grade(TOY_ID, s).late_days, gb.grade(TOY_ID, s).late_penalty)
                 for s in ("mallory", "olive", "quinn", "4242")}
    assert penalties == {"mallory": (2, 0.2), "olive": (0, 0.0), "quinn": (3, 0.3), "4242": (1, 0.1)}, penalties
    late = json.loads(gb.grade(TOY_ID, "mallory").result_json)["late"]
    assert late["received_from"] == "file time" and late["claimed_at"].startswith(
        (DEADLINE - timedelta(hours=1)).date().isoformat())
    assert json.loads(gb.grade(TOY_ID, "quinn").result_json)["late"]["received_from"] == "received record"


def test_a_claim_before_the_receipt_needs_a_human(graded):
    gb, dist = graded
    view = load_class(gb, AssignmentInfo.load(TOY_ID, dist / TOY_ID / "autograder"))
    flagged = {a.student: a.reasons for a in view.needs_a_human()}
    assert any("the manifest claims" in r and "edited zip" in r for r in flagged["mallory"]), flagged.get("mallory")
    assert not any("the manifest claims" in r for r in flagged.get("olive", []))


def test_a_received_csv_must_name_its_columns(tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text("who,when\nquinn,2030-01-01T00:00:00Z\n")
    with pytest.raises(SubmissionsError, match=r"r.csv: needs a student column"):
        read_received(bad)
    bad.write_text("student,received_at\nquinn,yesterday\n")
    with pytest.raises(SubmissionsError, match=r"r.csv: line 2: 'yesterday' is not a time"):
        read_received(bad)
