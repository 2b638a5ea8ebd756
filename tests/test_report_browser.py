"""Every report page in headless Chromium: no console errors, no failed loads, no broken or
external links, every image decodes. Screenshots go to ``artifacts/screenshots/``.

Chromium is required: a missing browser fails these tests rather than skipping them
(``CHROMIUM`` overrides the path, default ``/usr/bin/chromium``). Playwright drives it with
``executable_path`` (no browser download); one page is also loaded through the plain
``chromium --headless --dump-dom`` command line, reading console messages from its log.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from autograder.reports import AssignmentInfo, load_class, write_reports
from report_fixtures import AID, build_sample_class

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


def _chromium() -> str:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"headless Chromium is required for the report browser tests and {CHROMIUM} is missing: "
                    "apt-get install chromium (or set CHROMIUM=/path/to/chrome)")
    return CHROMIUM


@contextlib.contextmanager
def offline_page(width: int = 1200, height: int = 900):
    """A headless Chromium page, and the list it fills with every console error or warning, page
    error and request that is not a local file (pages must work offline)."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(f"console: {m.text}"))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: not r.url.startswith(("file:", "data:")) and problems.append(
                f"fetched {r.url}"))
            yield page, problems
        finally:
            browser.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    sc = build_sample_class(tmp_path_factory.mktemp("class"))
    view = load_class(sc.gradebook, AssignmentInfo.load(AID, bundle_dir=sc.bundle))
    out = sc.root / "reports" / AID
    written = write_reports(view, out)
    return [written.dashboard, *written.students.values()]


def test_chromium_is_installed():
    version = subprocess.run([_chromium(), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and "Chromium" in version.stdout + version.stderr


def test_every_page_in_headless_chromium(pages):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the report browser tests need the `playwright` package (pip install playwright; "
                    "no browser download: it drives the system Chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            current = {"name": ""}
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(
                f"{current['name']}: console {m.type}: {m.text}"))
            page.on("pageerror", lambda e: problems.append(f"{current['name']}: page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"{current['name']}: failed to load {r.url}"))
            page.on("request", lambda r: not r.url.startswith(("file:", "data:")) and problems.append(
                f"{current['name']}: fetched {r.url} (pages must work offline)"))
            for path in pages:
                current["name"] = path.name
                page.goto(path.as_uri(), wait_until="load")
                # every link and source: a data URI, an in-page anchor, or a relative file that exists
                for ref in page.eval_on_selector_all(
                        "[href], [src]", "els => els.map(e => e.getAttribute('href') ?? e.getAttribute('src'))"):
                    if ref.startswith(("data:image/png;base64,", "#")):
                        continue
                    parsed = urlparse(ref)
                    if parsed.scheme or parsed.netloc:
                        problems.append(f"{path.name}: external link {ref}")
                    elif not (path.parent / unquote(parsed.path)).is_file():
                        problems.append(f"{path.name}: broken link {ref}")
                broken = page.eval_on_selector_all("img", "imgs => imgs.filter(i => !i.complete || "
                                                          "i.naturalWidth === 0).map(i => i.alt)")
                problems += [f"{path.name}: image did not decode: {alt}" for alt in broken]
                assert page.locator("h1").count() == 1, path.name
                page.screenshot(path=str(SCREENSHOTS / f"{AID}-{path.stem}.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    shots = {p.name for p in SCREENSHOTS.glob(f"{AID}-*.png")}
    assert {f"{AID}-{p.stem}.png" for p in pages} <= shots


def test_dashboard_from_the_command_line(pages, tmp_path):
    """The plain command line (no driver): the DOM renders and the log holds no console message."""
    dashboard = pages[0]
    cmd = [_chromium(), "--headless", *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
           "--v=0", "--dump-dom", dashboard.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "class dashboard" in proc.stdout and "Needs a human" in proc.stdout
    console = [line for line in proc.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]
    assert console == []
