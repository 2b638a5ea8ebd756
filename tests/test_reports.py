"""``course report``: student feedback pages, the staff dashboard, no hidden-test leaks, and
overrides that survive ``course regrade``."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import course
from autograder.gradebook import Gradebook, final_score
from autograder.reports import AssignmentInfo, load_class, page_name, write_reports
from autograder.reports.model import explain_exit
from autograder.reports.render import artifacts_view, render_student
from report_fixtures import AID, Q1_HIDDEN_FAILURE, SECRETS, TESTS, build_sample_class
from toy_notebooks import TOY_DIR, TOY_ID


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def text_of(page: str) -> str:
    """The page's visible text, whitespace collapsed."""
    p = _Text()
    p.feed(page)
    return re.sub(r"\s+", " ", " ".join(p.parts))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    sc = build_sample_class(tmp_path_factory.mktemp("class"))
    info = AssignmentInfo.load(AID, bundle_dir=sc.bundle)
    view = load_class(sc.gradebook, info)
    out = sc.root / "reports" / AID
    written = write_reports(view, out)
    pages = {student: path.read_text() for student, path in written.students.items()}
    return sc, view, out, pages, written.dashboard.read_text()


def student_text(sample, student: str) -> str:
    return text_of(sample[3][student])


def test_every_student_gets_a_page(sample):
    sc, view, out, pages, _ = sample
    expected = {p.stem for p in sc.results.glob("*.json")}
    assert set(pages) == expected
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{s}.html" for s in expected] + ["index.html"])


def test_full_marks_and_artifacts(sample):
    text = student_text(sample, "solution")
    assert "5 / 5 points (100%)" in text
    assert "Your notebook ran to the end and every test ran." in text
    assert text.count("passed") == 4
    assert "softmax sums to one" in text                          # a success message
    page = sample[3]["solution"]
    # artifacts: samples side by side, a loss-curve plot, a metric bar plot, all embedded
    assert "Your outputs compared with the reference" in text
    assert "They confirm lunch at noon." in text and "The two agree to meet for lunch at noon." in text
    assert len(re.findall(r'<img class="plot" src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"', page)) == 2
    assert "ROUGE-L" in text and "perplexity" in text
    # a student's output is text, never markup
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>not bold</b>" not in page


def test_template_scores_zero_with_messages(sample):
    text = student_text(sample, "template")
    assert "0 / 5 points (0%)" in text
    assert "assertion failed" in text                               # public test: its own message
    assert "softmax(x) must sum to 1 AttributeError: 'NoneType' object has no attribute 'sum'" in text
    assert Q1_HIDDEN_FAILURE in text                                # hidden test: the author's failure_message
    assert "A hidden test failed." in text                          # hidden test without one: the generic line
    assert "q3 (graded by staff)" in text and "not graded yet" in text


def test_mutants_lose_their_question(sample):
    _, view, *_ = sample
    by = {s.student: s for s in view.students}
    assert {q.name: q.after_override for q in by["mutant-q1"].questions} == {"q1": 1.0, "q2": 3.0, "q3": None}
    assert {q.name: q.after_override for q in by["mutant-q2"].questions} == {"q1": 2.0, "q2": 0.0, "q3": None}
    assert "4 / 5 points" in student_text(sample, "mutant-q1")
    assert "2 / 5 points" in student_text(sample, "mutant-q2")


def test_late_penalty_shown_from_the_gradebook(sample):
    text = student_text(sample, "late-larry")
    assert "4 / 5 points (80%)" in text
    assert "autograder score 5" in text and "late penalty −20%" in text
    assert "Submitted 2 days late" in text and "the deadline was 2030-01-15 23:59 UTC" in text
    assert "5 × 0.8 = 4" in text
    assert "Late policy: 10% of the score is removed for each day or part of a day late" in text
    assert "work more than 3 days late scores zero" in text
    # per question: raw and after the penalty
    assert re.search(r"q1 2 – 1\.6 2 q2 3 – 2\.4 3", text), text
    border = student_text(sample, "borderline")
    assert "2.7 / 5 points" in border and "Submitted 1 day late" in border
    assert "On time" in student_text(sample, "solution")


def test_override_shown_with_who_when_why(sample):
    text = student_text(sample, "overridden")
    assert "5 / 5 points" in text and "autograder score 4" in text and "with course staff's points 5" in text
    assert "Changes by course staff" in text
    assert "ta_jane" in text and "q1 - 2 was too strict about -0.0; checked by hand" in text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", text.split("Changes by course staff")[1])
    assert re.search(r"q1 1 2 2 2", text), text       # autograder 1, override 2, final 2, out of 2


@pytest.mark.parametrize("student, words", [
    ("slowpoke", ["timeout", "ran past its time limit in cell 7 and was stopped",
                  "the rest of your notebook was run again without it"]),
    ("memhog", ["Your notebook ran out of memory in cell 7",
                "2 tests could not run and scored zero; the tests that ran before it were graded"]),
    ("crasher", ["process crashed in cell 17"]),
    ("broken", ["could not be graded", "not a notebook", "0 / 5 points"]),
])
def test_exit_reason_explained(sample, student, words):
    text = student_text(sample, student)
    for w in words:
        assert w in text, (w, text)


def test_failed_cells_and_run_facts(sample):
    text = student_text(sample, "leaky")
    assert "Cells that did not run cleanly" in text and "ZeroDivisionError: division by zero" in text
    assert "more characters not shown" in text                      # the error is truncated
    mem = student_text(sample, "memhog")
    assert "Peak memory 1024 MB" in mem and "Run time 1.0 s" in mem and "Restarts after a failed cell 2" in mem
    assert "Cells that did not run cleanly" not in student_text(sample, "solution")


def test_hidden_tests_never_leak(sample):
    """Hidden test code, expected values and the reference appear on no page, even when a
    stored result quotes the hidden assertion (the `leaky` student)."""
    sc, _, out, pages, dashboard = sample
    for path in out.glob("*.html"):
        page = path.read_text()
        for secret in SECRETS:
            assert secret not in page and html.escape(secret) not in page, (path.name, secret)
        for t in TESTS:
            if t["hidden"]:
                for line in t["code"].splitlines():
                    assert line.strip() not in html.unescape(page), (path.name, line)
    # what a hidden test may say still shows: its failure message, or the generic line
    leaky = student_text(sample, "leaky")
    assert Q1_HIDDEN_FAILURE in leaky and "A hidden test did not finish (crash)." in leaky
    # the stored result really held the secrets: the page removed them, not the fixture
    stored = (sc.results / "leaky.json").read_text()
    assert all(s in stored for s in ("EXPECTED_VALUE_zanzibar_9137", "hidden_oracle_pelican", "STAFF_DETAIL_walrus_42"))


def test_dashboard(sample):
    _, view, out, pages, dashboard = sample
    text = text_of(dashboard)
    assert "12 graded" in text and "for course staff only" in text
    # every student is linked by a relative link that exists
    hrefs = re.findall(r'href="([^"]+)"', dashboard)
    for student in pages:
        assert f"{student}.html" in hrefs
    assert all((out / h).exists() for h in hrefs)
    assert re.search(r'<img class="plot" src="data:image/png;base64,[A-Za-z0-9+/=]{200,}" alt="Histogram', dashboard)
    # needs a human: every incident, the borderline score and the override, and nobody else
    attention = text.split("Needs a human (")[1].split("Questions")[0]
    assert attention.startswith("6)")
    for student in ("borderline", "broken", "crasher", "memhog", "overridden", "slowpoke"):
        assert student in attention
    for student in ("solution", "template", "late-larry", "mutant-q1"):
        assert student not in attention
    assert "2.7 is within 0.25 of the pass mark (2.5)" in attention
    assert "q1 = 2 by ta_jane" in attention
    # failure rates
    assert "q1 - 2 hidden 45% (5/11) failed 3, error 2" in text
    assert "q2 1.42 3 58% (7/12)" in text
    # most common failure messages, with counts
    common = text.split("Most common failure messages")[1]
    assert re.search(rf"5 q1 - 2 {re.escape(Q1_HIDDEN_FAILURE)}", common)
    assert "3 q2 - 2 A hidden test failed." in common
    # slowest and most memory-hungry come first
    resources = text.split("Slowest and most memory-hungry")[1]
    assert resources.split("Run time")[1].split("Seconds Exit")[1].split()[0] == "slowpoke"
    assert resources.split("Peak memory")[1].split("MB Exit")[1].split()[0] == "memhog"
    # scores are final everywhere
    assert "late-larry 4 / 5 5 2d −20%" in text
    assert "overridden 5 / 5 4" in text


def test_margin_and_pass_threshold_are_options(sample):
    sc, _, out, _, _ = sample
    info = AssignmentInfo.load(AID, bundle_dir=sc.bundle)
    wide = {a.student: a.reasons for a in load_class(sc.gradebook, info, margin=0.25).needs_a_human()}
    assert "late-larry" in wide and "4 is within 1.25 of full marks" in wide["late-larry"]
    assert "mutant-q1" in wide
    none = {a.student for a in load_class(sc.gradebook, info, pass_threshold=0.9, margin=0.0).needs_a_human()}
    assert "borderline" not in none and "late-larry" not in none


def test_final_score_used_everywhere(sample):
    sc, view, *_ = sample
    overrides = {}
    for o in sc.gradebook.overrides(AID):
        overrides.setdefault(o.student, []).append(o)
    for s, g in zip(view.students, sc.gradebook.grades(AID)):
        assert s.student == g.student
        assert s.final == final_score(g, overrides.get(g.student, []))[0]
        assert s.late_penalty == g.late_penalty


def test_late_penalty_comes_from_the_gradebook_row(tmp_path):
    """The penalty recorded in the gradebook at grading time is the one applied, whatever the
    result JSON's copy says (a later edit of assignment.toml does not silently regrade)."""
    from report_fixtures import sample_results

    gb = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    result = next(r for r, *_ in sample_results() if r["student"] == "solution")
    result["late"] = {"days": 3, "penalty": 0.5, "submitted_at": None}
    gb.record(result, late_days=1, late_penalty=0.1)
    (s,) = load_class(gb, AssignmentInfo(id=AID, title="t")).students
    assert (s.final, s.late_days, s.late_penalty) == (4.5, 1, 0.1)
    assert "4.5 / 5 points" in text_of(render_student(s, AssignmentInfo(id=AID, title="t")))


def test_explanations_and_page_names():
    assert explain_exit({"exit_reason": "ok"}).startswith("Your notebook ran to the end")
    oom = explain_exit({"exit_reason": "out-of-memory", "exit_detail": "cell 7: killed", "cells": [],
                        "questions": {}})
    assert oom.startswith("Your notebook ran out of memory in cell 7") and "questions that do not depend on it were still graded" in oom
    budget = explain_exit({"exit_reason": "timeout", "exit_detail": "the submission used its whole time budget of 600 s"})
    assert "whole time budget" in budget
    assert page_name("alice") == "alice.html"
    assert page_name("index") != "index.html" and page_name("index").endswith(".html")
    weird = page_name("../../etc/passwd")
    assert "/" not in weird and weird.endswith(".html") and page_name("a b") != page_name("a_b")


def test_malformed_artifacts_do_not_break_a_page(sample):
    sc, view, *_ = sample
    assert artifacts_view({"samples": "nope", "curves": {"loss": ["x", None]}, "metrics": [3]}) is None
    student = view.students[0]
    student.artifacts = {"curves": {"loss": [1.0, float("nan"), 0.5]}, "metrics": [{"name": "acc", "student": None}]}
    page = render_student(student, view.info)
    assert "Training curves" in page


def test_report_command(sample, tmp_path):
    sc = sample[0]
    res = CliRunner().invoke(course, ["report", AID, "--db", sc.db_url, "--dist", str(sc.dist),
                                      "--out", str(tmp_path / "r"), "--margin", "0.1"])
    assert res.exit_code == 0, res.output
    assert "12 student pages" in res.output and "needs a human: " in res.output
    assert (tmp_path / "r" / "index.html").exists() and (tmp_path / "r" / "memhog.html").exists()
    bad = CliRunner().invoke(course, ["report", AID, "--db", sc.db_url, "--margin", "5"])
    assert bad.exit_code != 0 and "fraction" in bad.output
    empty = CliRunner().invoke(course, ["report", "nothing-here", "--db", sc.db_url])
    assert empty.exit_code != 0 and "nothing is graded" in empty.output


# ---------------------------------------------------------------------------- overrides and regrades


def _course(*args):
    res = CliRunner().invoke(course, [str(a) for a in args])
    assert res.exit_code == 0, res.output + str(res.exception)
    return res.output


def test_override_survives_regrade(tmp_path):
    """Grade (really, on the toy assignment), override, regrade a changed notebook: the
    override still pins its question and the final score follows the new automatic score."""
    from autograder.release.pipeline import release

    dist = tmp_path / "dist"
    release(TOY_DIR, dist)
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(dist / TOY_ID / "student" / f"{TOY_ID}.ipynb", subs / "carol.ipynb")      # the template: 0
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    common = ["--db", db, "--dist", dist]
    _course("grade", TOY_ID, subs, "--backend", "local", "-j", "1", "--results", tmp_path / "results", *common)
    gb = Gradebook(db)
    (grade,) = gb.grades(TOY_ID)
    assert grade.score == 0

    out = _course("override", TOY_ID, "carol", "q1", "1.5", "--reason", "partial credit for the edge case",
                  "--by", "ta_sam", "--db", db)
    assert "final score: 0 -> 1.5 / 5" in out
    assert final_score(gb.grades(TOY_ID)[0], gb.overrides(TOY_ID, "carol"))[0] == 1.5
    # the written q3 graded from the CLI: from now on the total is out of 6
    out = _course("written", TOY_ID, "carol", "q3", "1", "--comment", "clear and right", "--by", "ta_sam",
                  "--db", db)
    assert "carol q3: 1/1 - clear and right" in out and "carol total: 2.5 / 6" in out
    res = CliRunner().invoke(course, ["written", TOY_ID, "carol", "q1", "1", "--db", db])
    assert res.exit_code != 0 and "no written question 'q1'; its written questions: q3" in res.output

    # the student's notebook changes (here: the full solution) and is graded again
    shutil.copy(dist / TOY_ID / "autograder" / "solution.ipynb", subs / "carol.ipynb")
    out = _course("regrade", TOY_ID, "carol", "--submissions", subs, "--backend", "local", "-j", "1",
                  "--results", tmp_path / "results", *common)
    assert "staff's points kept" in out and "carol: q1 = 1.5 (ta_sam), q3 = 1 (ta_sam); automatic 5 -> final 5.5 / 6" in out
    (grade,) = gb.grades(TOY_ID)
    assert grade.score == 5                                               # the new automatic score ...
    assert final_score(grade, gb.overrides(TOY_ID, "carol"))[0] == 5.5    # ... with q1 still pinned to 1.5, q3 kept
    assert json.loads((tmp_path / "results" / TOY_ID / "carol.json").read_text())["score"] == 5

    # and the report says so
    _course("report", TOY_ID, "--out", tmp_path / "reports", *common)
    text = text_of((tmp_path / "reports" / "carol.html").read_text())
    assert "5.5 / 6 points" in text and "ta_sam" in text and "partial credit for the edge case" in text
    assert "clear and right" in text

    # a named student with no submission is reported, not silently skipped
    res = CliRunner().invoke(course, ["regrade", TOY_ID, "nobody", "--submissions", str(subs),
                                                      "--backend", "local", "--results", str(tmp_path / "results"),
                                                      *map(str, common)])
    assert res.exit_code == 0 and "no submission" in res.stderr and "nobody" in res.stderr


def test_override_checks(sample):
    sc = sample[0]
    runner = CliRunner()

    def run(*args):
        return runner.invoke(course, ["override", AID, *args, "--db", sc.db_url])

    assert "is a written question" in run("template", "q3", "1", "--reason", "essay").output
    assert "worth 0 to 2 points" in run("template", "q1", "3", "--reason", "x").output
    assert "no question 'q9'" in run("template", "q9", "1", "--reason", "x").output
    assert "has no grade" in run("nobody", "q1", "1", "--reason", "x").output
    assert "must say why" in run("template", "q1", "1", "--reason", "  ").output
    assert sc.gradebook.overrides(AID, "template") == []
