"""``course serve``'s written answers: a TA reads every student's answer to a manual question on
one page (the model answer and rubric beside them), saves points and a comment, and the points
count in the student's page, the dashboard's totals and the CSV export; staff override and
regrade one student from the page. In-process (Starlette's TestClient) on the toy, whose q3 is
a written question worth 1 point beside 5 autograded ones.
"""

from __future__ import annotations

import html
import json
import re
import time
from datetime import datetime, timezone

from autograder.gradebook import Gradebook
from autograder.reports.lms_export import export
from autograder.reports.model import AssignmentInfo, load_class
from autograder.reports.written_answers import find_answer
from autograder.service.app import grade_latest
from test_serve import csrf, make_service, signed_in, upload
from toy_notebooks import TOY_ID
from toy_submissions import MEAN_ABS_OK, SOFTMAX_OK, submission

PAGE = f"/staff/written/{TOY_ID}/q3"


def answered(service, text: str | None, replace_cell: bool = False) -> bytes:
    """The toy solved, with ``text`` as the written answer to q3 (in a new cell if ``replace_cell``)."""
    nb = json.loads(submission(service["dist"] / TOY_ID, MEAN_ABS_OK, SOFTMAX_OK))
    for i, cell in enumerate(nb["cells"]):
        if cell["metadata"].get("course", {}).get("answer") == "q3" and text is not None:
            if replace_cell:      # the student deleted the answer cell and wrote in a new one
                nb["cells"][i] = {"cell_type": "markdown", "metadata": {}, "source": text, "id": "new1"}
            else:
                cell["source"] = text
    return json.dumps(nb).encode()


def graded_class(service) -> None:
    """alice answers in the release's cell, bob in a cell of his own; both graded from their receipts."""
    alice, bob = signed_in(service, "alice"), signed_in(service, "bob")
    assert upload(alice, answered(service, "Subtracting **c** multiplies top and bottom by e^-c "
                                           "<script>alert('x')</script>")).status_code == 201
    assert upload(bob, answered(service, "It cancels out.", replace_cell=True)).status_code == 201
    summary = grade_latest(service["store"], TOY_ID, service["dist"], service["db"], service["data"], "local")
    assert summary.startswith("graded 2, failed 0"), summary


def save(client, student: str, points, comment: str = "", token: str | None = None):
    return client.post(PAGE, data={"csrf": csrf(client, PAGE) if token is None else token, "student": student,
                                   "points": str(points), "comment": comment, "next": "s1"}, follow_redirects=False)


def test_find_answer_by_mark_and_by_position(tmp_path):
    service = make_service(tmp_path)
    marked = find_answer(json.loads(answered(service, "Because of *cancellation*.")), "q3")
    assert not marked.by_position and [c["source"] for c in marked.cells] == ["Because of *cancellation*."]
    assert "<em>cancellation</em>" in marked.html()
    moved = find_answer(json.loads(answered(service, "It cancels.", replace_cell=True)), "q3")
    assert moved.by_position and moved.cells[0]["source"] == "It cancels."
    untouched = find_answer(json.loads(answered(service, None)), "q3")
    assert untouched.empty and not untouched.problem
    nothing = find_answer({"cells": []}, "q3")
    assert nothing.problem and not nothing.cells


def test_ta_grades_two_answers_and_the_points_count_everywhere(tmp_path):
    service = make_service(tmp_path)
    graded_class(service)
    tina = signed_in(service, "tina")
    index = tina.get(f"/staff/written/{TOY_ID}")
    assert index.status_code == 200 and "0 of 2 graded" in index.text
    page = tina.get(PAGE).text
    assert "0 of 2 graded" in page and "platypus argument" in page                    # the model answer
    assert "Subtracting <strong>c</strong>" in page and "&lt;script&gt;" in page       # rendered, HTML escaped
    assert "<script>alert" not in page
    assert "It cancels out." in page and "these are the cells after the question's text" in page
    # before any written grade, totals are the autograded points: 5 / 5
    gb = Gradebook(service["db"])
    view = load_class(gb, AssignmentInfo.load(TOY_ID, service["dist"] / TOY_ID / "autograder"))
    assert {(s.student, s.final, s.max_score) for s in view.students} == {("alice", 4.0, 5.0), ("bob", 4.0, 5.0)}
    # (5 autograded points, two days late: -20 %)

    r = save(tina, "alice", 1, "Right: the factor cancels.")
    assert r.status_code == 303 and r.headers["location"].endswith("#s1")
    after = tina.get(PAGE).text
    assert "1 of 2 graded" in after and "Last saved by tina" in after
    # from the first written grade every total counts q3: alice (5 + 1) x 0.8 of 6, bob (5 + 0) x 0.8 of 6
    view = load_class(gb, AssignmentInfo.load(TOY_ID, service["dist"] / TOY_ID / "autograder"))
    totals = {s.student: (s.final, s.max_score) for s in view.students}
    assert totals == {"alice": (4.8, 6.0), "bob": (4.0, 6.0)}, totals
    # a written grade is routine: it does not put the student on the dashboard's "needs a human" list
    assert not any("overridden" in r for a in view.needs_a_human() for r in a.reasons)
    left = tina.get(f"{PAGE}?ungraded=1").text                               # only what is left to grade
    assert "1 of 2 graded" in left and 'value="bob"' in left and 'value="alice"' not in left
    assert save(tina, "bob", 0.5).status_code == 303
    assert "2 of 2 graded" in tina.get(f"/staff/written/{TOY_ID}").text

    # the student's page (rewritten on save; every page, in the background, on q3's first grade)
    # and the CSV export show the points
    settled(service)
    service["store"].release_feedback(TOY_ID, "tina")
    alice_page = text_of(signed_in(service, "alice").get(f"/feedback/{TOY_ID}").text)
    assert re.search(r"\b4\.8 / 6 points", alice_page) and "Right: the factor cancels." in alice_page
    bob_page = text_of(signed_in(service, "bob").get(f"/feedback/{TOY_ID}").text)
    assert "4.4 / 6 points" in bob_page
    view = load_class(gb, AssignmentInfo.load(TOY_ID, service["dist"] / TOY_ID / "autograder"))
    rows = {r["student"]: r for r in csv_rows(export(view, "csv")[0])}
    assert rows["alice"]["q3"] == "1" and rows["bob"]["q3"] == "0.5"
    assert rows["alice"]["max_score"] == "6" and rows["bob"]["score"] == "4.4"
    served = tina.get(f"/staff/export/{TOY_ID}.csv")
    assert served.status_code == 200 and served.text == export(view, "csv")[0]
    assert signed_in(service, "alice").get(f"/staff/export/{TOY_ID}.csv").status_code == 403
    assert tina.get(f"/staff/export/{TOY_ID}.csv?format=nonsense").status_code == 400


def settled(service, seconds: float = 120) -> None:
    """Wait for the pages the service rewrites in the background."""
    deadline = time.monotonic() + seconds
    while service["app"].state.pages_busy(TOY_ID):
        assert time.monotonic() < deadline, "the pages were not rewritten in time"
        time.sleep(0.1)


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def csv_rows(text: str) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_written_grades_are_refused_when_wrong(tmp_path):
    service = make_service(tmp_path)
    graded_class(service)
    tina, alice = signed_in(service, "tina"), signed_in(service, "alice")
    assert alice.get(PAGE).status_code == 403
    assert alice.post(PAGE, data={"csrf": csrf(alice), "student": "alice", "points": "1"}).status_code == 403
    assert save(tina, "alice", 1, token="forged").status_code == 403
    too_many = save(tina, "alice", 2)
    assert too_many.status_code == 400 and "q3 is worth 0 to 1 points, not 2" in text_of(too_many.text)
    assert save(tina, "alice", "lots").status_code == 400
    assert save(tina, "alice", "nan").status_code == 400
    nobody = save(tina, "carol", 1)
    assert nobody.status_code == 400 and "'carol' has no graded submission" in text_of(nobody.text)
    assert tina.get(f"/staff/written/{TOY_ID}/q1").status_code == 404                  # autograded, not written
    assert tina.post(f"/staff/written/{TOY_ID}/q1", data={"csrf": csrf(tina), "student": "alice",
                                                         "points": "1"}).status_code == 404
    assert Gradebook(service["db"]).overrides(TOY_ID) == []                              # nothing was saved
    # an override of a written question is refused: written points go through the page
    r = tina.post(f"/staff/override/{TOY_ID}", data={"csrf": csrf(tina, "/staff"), "student": "alice",
                                                     "question": "q3", "points": "1", "reason": "x"})
    assert r.status_code == 400 and "is a written question" in text_of(r.text)


def test_override_and_regrade_from_the_staff_page(tmp_path):
    service = make_service(tmp_path)
    graded_class(service)
    tina = signed_in(service, "tina")
    token = csrf(tina, "/staff")
    r = tina.post(f"/staff/override/{TOY_ID}", data={"csrf": token, "student": "bob", "question": "q1",
                                                     "points": "2", "reason": "checked by hand"},
                  follow_redirects=False)
    assert r.status_code == 303
    (o,) = Gradebook(service["db"]).overrides(TOY_ID)
    assert (o.student, o.question, o.points, o.author, o.reason) == ("bob", "q1", 2.0, "tina", "checked by hand")
    before = {s: Gradebook(service["db"]).grade(TOY_ID, s).graded_at for s in ("alice", "bob")}
    # graded_at has whole seconds (SQLite gives it back without its zone): regrade in a later second
    while datetime.now(timezone.utc).replace(microsecond=0, tzinfo=before["bob"].tzinfo and timezone.utc) <= before["bob"]:
        time.sleep(0.05)
    r = tina.post(f"/staff/regrade/{TOY_ID}", data={"csrf": token, "student": "bob"}, follow_redirects=False)
    assert r.status_code == 303
    for _ in range(240):
        if "graded 1, failed 0" in tina.get("/staff").text:
            break
        time.sleep(0.5)
    assert "graded 1, failed 0" in tina.get("/staff").text
    assert Gradebook(service["db"]).grade(TOY_ID, "bob").graded_at > before["bob"]          # graded again
    assert Gradebook(service["db"]).grade(TOY_ID, "alice").graded_at == before["alice"]     # only bob
    assert len(Gradebook(service["db"]).overrides(TOY_ID)) == 1                             # the override kept
    assert tina.post(f"/staff/regrade/{TOY_ID}", data={"csrf": token, "student": "zed"}).status_code == 400
