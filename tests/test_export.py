"""``course export``: our CSV, Canvas's gradebook import and Gradescope's score upload.

Every format carries the final score: overrides applied, then the gradebook's late penalty.
"""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from autograder.cli import course
from autograder.reports import AssignmentInfo, export, load_class, read_roster
from autograder.reports.lms_export import ExportError
from report_fixtures import AID, TITLE, build_sample_class

FINAL = {"solution": 5, "template": 0, "mutant-q1": 4, "mutant-q2": 2, "slowpoke": 3, "crasher": 2, "memhog": 2,
         "late-larry": 4, "borderline": 2.7, "overridden": 5, "leaky": 2, "broken": 0}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    sc = build_sample_class(tmp_path_factory.mktemp("class"))
    return sc, load_class(sc.gradebook, AssignmentInfo.load(AID, bundle_dir=sc.bundle))


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv(sample):
    text, warnings = export(sample[1], "csv")
    assert warnings == []
    table = rows(text)
    assert table[0] == ["student", "score", "max_score", "q1", "q2", "raw_score", "late_days", "late_penalty",
                        "exit_reason", "overrides"]
    by = {r[0]: dict(zip(table[0], r)) for r in table[1:]}
    assert {s: float(r["score"]) for s, r in by.items()} == FINAL
    assert by["late-larry"] == {"student": "late-larry", "score": "4", "max_score": "5", "q1": "2", "q2": "3",
                                "raw_score": "5", "late_days": "2", "late_penalty": "0.2", "exit_reason": "ok",
                                "overrides": "0"}
    assert (by["overridden"]["q1"], by["overridden"]["raw_score"], by["overridden"]["overrides"]) == ("2", "4", "1")
    assert by["memhog"]["exit_reason"] == "out-of-memory" and by["broken"]["exit_reason"] == "invalid"
    assert [r[0] for r in table[1:]] == sorted(FINAL)


def test_canvas(sample):
    table = rows(export(sample[1], "canvas")[0])
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{TITLE} ({AID})"]
    assert table[1] == ["Points Possible", "", "", "", "", "5"]
    by = {r[0]: r for r in table[2:]}
    assert len(by) == len(FINAL)
    assert by["late-larry"] == ["late-larry", "", "late-larry", "", "", "4"]   # a non-numeric id is an SIS id
    assert float(by["borderline"][5]) == 2.7 and by["overridden"][5] == "5"


def test_canvas_rescaled_with_ids_and_roster(sample, tmp_path):
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text("Student,Name,SIS_User_ID,Section,Email\n"
                           "late-larry,\"Larry, Late\",S1001,L02,larry@uni.example\n"
                           "solution,Sol Ution,S1002,L01,sol@uni.example\n", encoding="utf-8")
    roster = read_roster(roster_file)
    assert roster["late-larry"] == {"name": "Larry, Late", "sis_user_id": "S1001", "section": "L02",
                                    "email": "larry@uni.example"}
    text, warnings = export(sample[1], "canvas", points_possible=100, roster=roster,
                            canvas_column="Prompting (123456)")
    table = rows(text)
    assert table[0][5] == "Prompting (123456)" and table[1][5] == "100"
    by = {r[0]: r for r in table[2:]}
    assert by["Larry, Late"] == ["Larry, Late", "", "S1001", "", "L02", "80"]
    assert float(by["borderline"][5]) == 54          # 2.7 / 5 * 100
    assert any("not in the roster" in w and "borderline" in w for w in warnings)
    # a Canvas bulk download's ids are Canvas user ids: they go in ID
    view = sample[1]
    numeric = view.students[0]
    original = numeric.student
    try:
        numeric.student = "4242"
        row = rows(export(view, "canvas")[0])[2]
        assert row[:3] == ["4242", "4242", ""]
    finally:
        numeric.student = original


def test_gradescope(sample, tmp_path):
    table = rows(export(sample[1], "gradescope")[0])
    assert table[0] == ["Name", "SID", "Email", "Total Score"]
    by = {r[0]: r for r in table[1:]}
    assert by["overridden"] == ["overridden", "overridden", "", "5"]
    assert float(by["borderline"][3]) == 2.7
    roster_file = tmp_path / "r.csv"
    roster_file.write_text("student,name,sid,email\nsolution,Sol Ution,3141,sol@uni.example\n")
    table = rows(export(sample[1], "gradescope", roster=read_roster(roster_file), points_possible=10)[0])
    assert ["Sol Ution", "3141", "sol@uni.example", "10"] in table
    assert ["late-larry", "late-larry", "", "8"] in table


def test_bad_input(sample, tmp_path):
    with pytest.raises(ExportError, match="unknown format"):
        export(sample[1], "xlsx")
    with pytest.raises(ExportError, match="greater than 0"):
        export(sample[1], "canvas", points_possible=0)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nA,a@b\n")
    with pytest.raises(ExportError, match="`student` column"):
        read_roster(bad)


def test_export_command(sample, tmp_path):
    sc = sample[0]
    base = ["export", AID, "--db", sc.db_url, "--dist", str(sc.dist)]
    res = CliRunner().invoke(course, [*base, "--format", "canvas", "--out", str(tmp_path / "canvas.csv"),
                                      "--points-possible", "10"])
    assert res.exit_code == 0, res.output
    table = rows((tmp_path / "canvas.csv").read_text())
    assert table[1][5] == "10" and ["late-larry", "", "late-larry", "", "", "8"] in table
    res = CliRunner().invoke(course, [*base, "--format", "gradescope"])
    assert res.exit_code == 0 and res.output.startswith("Name,SID,Email,Total Score\n")
    res = CliRunner().invoke(course, [*base])                     # csv by default, to stdout
    assert res.exit_code == 0 and res.output.startswith("student,score,max_score,q1,q2,")
    res = CliRunner().invoke(course, [*base, "--format", "pdf"])
    assert res.exit_code != 0
