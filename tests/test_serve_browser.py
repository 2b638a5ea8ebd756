"""``course serve`` in a real browser: headless Chromium (Playwright, the system's Chromium)
against the real server (uvicorn in its own process).

Two students sign in, upload their notebooks (with a written answer to the toy's q3) through the
form and read the receipt; a TA signs in, grades the latest submissions, gives both written
answers points on the written-answers page, downloads the grades CSV and releases the feedback;
a student then opens their feedback page, which shows the score with the written point. Any
console error or failed request fails the test.
"""

from __future__ import annotations

import csv
import re
import time

import pytest

from autograder.release.pipeline import release
from autograder.service.store import ServiceStore
from test_report_browser import FLAGS, _chromium  # the same Chromium and flags
from test_serve_durability import PASSWORD, free_port, start
from test_serve_written import answered
from toy_notebooks import TOY_DIR, TOY_ID

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("serve-browser")]


def test_student_uploads_and_reads_released_feedback(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    release(TOY_DIR, tmp_path / "dist")
    store = ServiceStore(f"sqlite:///{tmp_path / 'gb.db'}", tmp_path / "data" / "files")
    (tmp_path / "roster.csv").write_text("id,role\nalice,student\nbob,student\ntina,ta\n")
    store.import_roster(tmp_path / "roster.csv")
    for who in ("alice", "bob", "tina"):
        store.set_password(who, PASSWORD)
    notebooks = {}
    for who, text in (("alice", "The factor e^-c cancels."), ("bob", "No idea.")):
        notebooks[who] = tmp_path / who / f"{TOY_ID}.ipynb"
        notebooks[who].parent.mkdir()
        notebooks[who].write_bytes(answered({"dist": tmp_path / "dist"}, text))
    port = free_port()
    server = start(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    problems: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=_chromium(), args=FLAGS)
            try:
                def session():
                    page = browser.new_context().new_page()
                    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
                    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                    # a download ends its navigation as aborted in Chromium: the CSV is checked below
                    page.on("requestfailed", lambda r: (r.failure == "net::ERR_ABORTED" and "/staff/export/" in r.url)
                            or problems.append(f"failed: {r.url} ({r.failure})"))
                    return page

                def sign_in(page, who: str) -> None:
                    page.goto(f"{base}/")
                    assert page.url.endswith("/login")
                    page.fill("input[name=id]", who)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()

                for who in ("bob", "alice"):
                    student = session()
                    sign_in(student, who)
                    # expect() retries until the page after the form's redirect has loaded
                    expect(student.locator("body")).to_contain_text("Your submissions")
                    student.set_input_files("input[name=notebook]", str(notebooks[who]))
                    student.click(f"text=Submit {TOY_ID}")
                    expect(student.locator("body")).to_contain_text("Stored.")
                    (receipt,) = store.receipts(student=who)
                    expect(student.locator("body")).to_contain_text(receipt.sha256)

                ta = session()
                sign_in(ta, "tina")
                expect(ta.locator("body")).to_contain_text("Course staff")
                ta.click("text=Grade latest submissions")
                ta.wait_for_load_state()
                for _ in range(120):
                    if "graded 2" in ta.content():
                        break
                    time.sleep(0.5)
                    ta.reload()
                assert "graded 2, failed 0" in ta.content()
                ta.click("text=written answers")
                ta.click("text=q3")
                expect(ta.locator("#progress")).to_have_text("0 of 2 graded")
                for who, points, comment in (("alice", "1", "Right."), ("bob", "0", "Say why the factor cancels.")):
                    form = ta.locator(f"section.written:has(input[name=student][value='{who}']) form")
                    expect(ta.locator(f"section.written:has(input[name=student][value='{who}']) h2")).to_contain_text(
                        "not graded yet")
                    form.locator("input[name=points]").fill(points)
                    form.locator("textarea[name=comment]").fill(comment)
                    form.locator("button[type=submit]").click()
                    ta.wait_for_load_state()
                expect(ta.locator("#progress")).to_have_text("2 of 2 graded")
                ta.goto(f"{base}/staff")
                with ta.expect_download() as download:
                    ta.click("text=grades CSV")
                grades = {r["student"]: r for r in csv.DictReader(open(download.value.path(), encoding="utf-8"))}
                assert (grades["alice"]["q3"], grades["alice"]["score"], grades["alice"]["max_score"]) == ("1", "6", "6")
                assert (grades["bob"]["q3"], grades["bob"]["max_score"]) == ("0", "6")
                ta.click("text=Release feedback")
                expect(ta.locator("body")).to_contain_text("released")

                student.goto(f"{base}/")
                student.click("text=Your feedback")
                student.wait_for_load_state()
                for _ in range(120):     # q3's first grade rewrites every page in the background
                    score = student.inner_text("#score")
                    if "6 / 6" in score:
                        break
                    time.sleep(0.5)
                    student.reload()
                assert re.search(r"\b6 / 6 points \(100%\)", score), score
                expect(student.locator("#overrides")).to_contain_text("Right.")
            finally:
                browser.close()
    finally:
        server.kill()
        server.wait(10)
    assert not problems, problems
