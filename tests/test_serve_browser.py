"""``course serve`` in a real browser: headless Chromium (Playwright, the system's Chromium)
against the real server (uvicorn in its own process).

A student signs in, uploads the solution through the form and reads the receipt; a TA signs in,
grades the latest submissions and releases the feedback; the student then opens their feedback
page, which shows their score. Any console error or failed request fails the test.
"""

from __future__ import annotations

import re
import time

import pytest

from autograder.release.pipeline import release
from autograder.service.store import ServiceStore
from test_report_browser import FLAGS, _chromium  # the same Chromium and flags
from test_serve_durability import PASSWORD, free_port, start
from toy_notebooks import TOY_DIR, TOY_ID

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("serve-browser")]


def test_student_uploads_and_reads_released_feedback(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    release(TOY_DIR, tmp_path / "dist")
    store = ServiceStore(f"sqlite:///{tmp_path / 'gb.db'}", tmp_path / "data" / "files")
    (tmp_path / "roster.csv").write_text("id,role\nalice,student\ntina,ta\n")
    store.import_roster(tmp_path / "roster.csv")
    for who in ("alice", "tina"):
        store.set_password(who, PASSWORD)
    notebook = tmp_path / f"{TOY_ID}.ipynb"
    notebook.write_bytes((tmp_path / "dist" / TOY_ID / "autograder" / "solution.ipynb").read_bytes())
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
                    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
                    return page

                def sign_in(page, who: str) -> None:
                    page.goto(f"{base}/")
                    assert page.url.endswith("/login")
                    page.fill("input[name=id]", who)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()

                student = session()
                sign_in(student, "alice")
                # expect() retries until the page after the form's redirect has loaded
                expect(student.locator("body")).to_contain_text("Your submissions")
                student.set_input_files("input[name=notebook]", str(notebook))
                student.click(f"text=Submit {TOY_ID}")
                expect(student.locator("body")).to_contain_text("Stored.")
                (receipt,) = store.receipts(student="alice")
                expect(student.locator("body")).to_contain_text(receipt.sha256)

                ta = session()
                sign_in(ta, "tina")
                expect(ta.locator("body")).to_contain_text("Course staff")
                ta.click("text=Grade latest submissions")
                ta.wait_for_load_state()
                for _ in range(120):
                    if "graded 1" in ta.content():
                        break
                    time.sleep(0.5)
                    ta.reload()
                assert "graded 1, failed 0" in ta.content()
                ta.click("text=Release feedback")
                expect(ta.locator("body")).to_contain_text("released")

                student.goto(f"{base}/")
                student.click("text=Your feedback")
                student.wait_for_load_state()
                score = student.inner_text("#score")
                assert re.search(r"\b5 / 5 points \(100%\)", score), score
            finally:
                browser.close()
    finally:
        server.kill()
        server.wait(10)
    assert not problems, problems
