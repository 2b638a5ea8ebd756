"""``course serve``: logins, uploads with receipts, what each role may see, and grading from receipts.

Runs the application in-process (Starlette's TestClient) on the toy, with a deadline 36 hours
ago so that a submission received now is two started days late. Every refusal is asserted
with its status and that nothing was stored.
"""

from __future__ import annotations

import re
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autograder.gradebook import Gradebook
from autograder.release.pipeline import release
from autograder.service.app import create_app, grade_latest
from autograder.service.store import ServiceStore
from toy_notebooks import TOY_DIR, TOY_ID

PASSWORD = "correct horse battery"


@pytest.fixture
def service(tmp_path):
    return make_service(tmp_path)


def make_service(tmp_path: Path, extra_toml: str = "") -> dict:
    src = tmp_path / "src" / TOY_ID
    shutil.copytree(TOY_DIR, src)
    deadline = (datetime.now(timezone.utc) - timedelta(hours=36)).replace(microsecond=0)
    toml = src / "assignment.toml"
    toml.write_text(re.sub(r"(?m)^deadline = .*$", f"deadline = {deadline.isoformat()}", toml.read_text())
                    + extra_toml)
    dist = tmp_path / "dist"
    release(src, dist)
    db = f"sqlite:///{tmp_path / 'gb.db'}"
    store = ServiceStore(db, tmp_path / "data" / "files")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email,role\nalice,Alice A,a@uni.example,student\nbob,Bob B,b@uni.example,\n"
                      "tina,Tina T,t@uni.example,ta\n")
    assert store.import_roster(roster) == 3
    for who in ("alice", "bob", "tina"):
        store.set_password(who, PASSWORD)
    app = create_app(store, dist, db, tmp_path / "data", "test-secret", backend="local")
    return {"app": app, "store": store, "dist": dist, "db": db, "data": tmp_path / "data"}


def csrf(client: TestClient, path: str = "/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def signed_in(service, who: str) -> TestClient:
    client = TestClient(service["app"])
    r = client.post("/login", data={"id": who, "password": PASSWORD, "csrf": csrf(client, "/login")},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def upload(client: TestClient, data: bytes, name: str = f"{TOY_ID}.ipynb", token: str | None = None):
    token = csrf(client) if token is None else token
    return client.post(f"/submit/{TOY_ID}", data={"csrf": token}, files={"notebook": (name, data)})


def solution(service) -> bytes:
    return (service["dist"] / TOY_ID / "autograder" / "solution.ipynb").read_bytes()


def files_stored(service) -> list[Path]:
    return [p for p in (service["data"] / "files").rglob("*") if p.is_file()]


def test_no_session_means_the_login_page(service):
    client = TestClient(service["app"])
    for path in ("/", "/staff", "/receipts/1", f"/feedback/{TOY_ID}"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login", path
    bad = client.post("/login", data={"id": "alice", "password": "wrong password!", "csrf": csrf(client, "/login")})
    assert bad.status_code == 401 and "unknown id or wrong password" in bad.text


def test_upload_gets_a_receipt_from_the_servers_clock(service):
    alice = signed_in(service, "alice")
    before = datetime.now(timezone.utc)
    r = upload(alice, solution(service))
    assert r.status_code == 201 and "Stored." in r.text
    (stored,) = service["store"].receipts(student="alice")
    assert before <= stored.received_at <= datetime.now(timezone.utc)
    assert stored.sha256 in r.text and service["store"].file_path(stored.sha256).read_bytes() == solution(service)
    assert alice.get(f"/receipts/{stored.receipt_id}/file").content == solution(service)
    assert "receipt" in alice.get("/").text and stored.sha256[:12] in alice.get("/").text


def test_a_student_sees_only_their_own(service):
    alice, bob = signed_in(service, "alice"), signed_in(service, "bob")
    upload(alice, solution(service))
    (stored,) = service["store"].receipts(student="alice")
    assert bob.get(f"/receipts/{stored.receipt_id}").status_code == 404
    assert bob.get(f"/receipts/{stored.receipt_id}/file").status_code == 404
    assert bob.get("/receipts/999").status_code == 404          # the same answer whether it exists or not
    assert bob.get("/staff").status_code == 403
    assert bob.post(f"/staff/grade/{TOY_ID}", data={"csrf": csrf(bob)}).status_code == 403
    assert bob.get(f"/staff/reports/{TOY_ID}/index.html").status_code == 403
    tina = signed_in(service, "tina")
    assert tina.get(f"/receipts/{stored.receipt_id}").status_code == 200      # staff see every receipt


def test_refused_uploads_store_nothing(service):
    alice = signed_in(service, "alice")
    assert upload(alice, solution(service), token="forged").status_code == 403
    no_token = alice.post(f"/submit/{TOY_ID}", files={"notebook": ("a.ipynb", solution(service))})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    not_nb = upload(alice, b"print('hello')", name="hw.ipynb")
    assert not_nb.status_code == 400 and "hw.ipynb: not a readable notebook" in not_nb.text
    huge = upload(alice, b"0" * (200 * 1024 * 1024), name="huge.ipynb")
    assert huge.status_code == 413 and "larger than 50 MB" in huge.text
    assert alice.post("/submit/no-such-lab", data={"csrf": csrf(alice)},
                      files={"notebook": ("x.ipynb", solution(service))}).status_code == 404
    assert service["store"].receipts() == [] and files_stored(service) == []
    # a path in the file name is only a label: the file is stored by its hash, inside files/
    r = upload(alice, solution(service), name="../../../etc/x.ipynb")
    assert r.status_code == 201
    (stored,) = service["store"].receipts()
    assert stored.filename == "x.ipynb" and files_stored(service) == [service["store"].file_path(stored.sha256)]


def test_a_sign_in_link_works_once(service):
    token = service["store"].issue_token("bob")
    client = TestClient(service["app"])
    assert client.get(f"/login/token/{token}", follow_redirects=False).status_code == 303
    assert "Your submissions" in client.get("/").text
    again = TestClient(service["app"]).get(f"/login/token/{token}")
    assert again.status_code == 403 and "used already" in again.text


def test_grading_counts_lateness_from_the_receipt(service):
    alice, bob = signed_in(service, "alice"), signed_in(service, "bob")
    upload(alice, solution(service))
    upload(bob, (service["dist"] / TOY_ID / "student" / f"{TOY_ID}.ipynb").read_bytes())
    summary = grade_latest(service["store"], TOY_ID, service["dist"], service["db"], service["data"], "local")
    assert summary.startswith("graded 2")
    gb = Gradebook(service["db"])
    a = gb.grade(TOY_ID, "alice")
    assert (a.score, a.late_days, a.late_penalty) == (5.0, 2, 0.2)       # received 36 h after the deadline
    assert (service["data"] / "reports" / TOY_ID / "alice.html").is_file()
    # feedback stays hidden until staff release it, and then each student sees their own page only
    assert alice.get(f"/feedback/{TOY_ID}").status_code == 404
    tina = signed_in(service, "tina")
    assert tina.post(f"/staff/release/{TOY_ID}", data={"csrf": csrf(tina, "/staff")},
                     follow_redirects=False).status_code == 303
    page = alice.get(f"/feedback/{TOY_ID}")
    assert page.status_code == 200 and "alice" in page.text and "bob" not in page.text
    assert tina.get(f"/staff/reports/{TOY_ID}/index.html").status_code == 200
    assert tina.get(f"/staff/reports/{TOY_ID}/..%2F..%2Fgb.db").status_code == 404


def test_staff_start_grading_from_the_page(service):
    upload(signed_in(service, "alice"), solution(service))
    tina = signed_in(service, "tina")
    assert tina.post(f"/staff/grade/{TOY_ID}", data={"csrf": csrf(tina, "/staff")},
                     follow_redirects=False).status_code == 303
    for _ in range(120):
        if "graded 1" in tina.get("/staff").text:
            break
        time.sleep(0.5)
    assert "graded 1, failed 0" in tina.get("/staff").text
    assert Gradebook(service["db"]).grade(TOY_ID, "alice").score == 5.0


@pytest.mark.parametrize("mode", ["after_deadline", "immediately"])
def test_feedback_released_by_the_assignments_setting(tmp_path, mode):
    service = make_service(tmp_path, f'\n[serve]\nfeedback = "{mode}"\n')
    alice = signed_in(service, "alice")
    assert alice.get(f"/feedback/{TOY_ID}").status_code == 404          # nothing graded yet
    upload(alice, solution(service))
    grade_latest(service["store"], TOY_ID, service["dist"], service["db"], service["data"], "local")
    page = alice.get(f"/feedback/{TOY_ID}")                              # the deadline is 36 h past
    assert page.status_code == 200 and "alice" in page.text
    assert f'href="/feedback/{TOY_ID}"' in alice.get("/").text



def test_guessing_passwords_is_throttled(tmp_path):
    """Five wrong passwords for one id: the sixth try is refused (429) before argon2 runs, even with
    the right password, until the window passes; other ids are not affected; a success clears."""
    from autograder.service.throttle import LoginThrottle

    now = [1000.0]
    service = make_service(tmp_path)
    service["app"] = create_app(service["store"], service["dist"], service["db"], service["data"], "test-secret",
                                backend="local", throttle=LoginThrottle(per_id=5, per_address=8, window_s=600,
                                                                        clock=lambda: now[0]))
    client = TestClient(service["app"])

    def try_password(who: str, password: str):
        return client.post("/login", data={"id": who, "password": password, "csrf": csrf(client, "/login")},
                           follow_redirects=False)

    assert [try_password("alice", f"guess {i}").status_code for i in range(5)] == [401] * 5
    refused = try_password("alice", PASSWORD)
    assert refused.status_code == 429 and "too many failed sign-ins" in refused.text and "10 minutes" in refused.text
    assert try_password("ALICE", PASSWORD).status_code == 429            # ids are matched without case
    assert try_password("bob", PASSWORD).status_code == 303               # another id signs in
    now[0] += 601
    assert try_password("alice", PASSWORD).status_code == 303             # the window passed
    # the address's own limit: 8 failures from one address, over any ids, refuse every id from it
    for i in range(8):
        assert try_password(f"nobody{i}", "x").status_code == 401
    assert try_password("tina", PASSWORD).status_code == 429


def test_upload_tokens_upload_only(service):
    """A student's upload token uploads without a session or CSRF token; it opens nothing else, a
    new one replaces it, and a wrong one stores nothing."""
    alice = signed_in(service, "alice")
    page = alice.post("/upload-token", data={"csrf": csrf(alice)})
    token = re.search(r'<code id="token">([^<]+)</code>', page.text).group(1)
    assert page.status_code == 200 and f"--to http://testserver --token {token}" in page.text
    anonymous = TestClient(service["app"])
    auth = {"authorization": f"Bearer {token}", "accept": "application/json"}
    r = anonymous.post(f"/submit/{TOY_ID}", files={"notebook": ("hw.ipynb", solution(service))}, headers=auth)
    assert r.status_code == 201 and r.json()["student"] == "alice"
    for path in ("/", f"/receipts/{r.json()['receipt']}", f"/feedback/{TOY_ID}"):
        assert anonymous.get(path, headers=auth, follow_redirects=False).status_code == 303      # to the login page
    assert alice.post("/upload-token", data={}).status_code == 403                             # the form's CSRF
    service["store"].issue_upload_token("alice")                                               # staff's new one
    stale = anonymous.post(f"/submit/{TOY_ID}", files={"notebook": ("hw.ipynb", solution(service))}, headers=auth)
    assert stale.status_code == 401 and "upload token is not valid" in stale.json()["error"]
    assert len(service["store"].receipts(student="alice")) == 1


def test_grade_uploads_from_a_terminal(service):
    """``course grade-uploads``: the staff page's button as a command, one student again on request."""
    from click.testing import CliRunner

    from autograder.cli import course

    upload(signed_in(service, "alice"), solution(service))
    upload(signed_in(service, "bob"), solution(service))
    common = ["--db", service["db"], "--dist", str(service["dist"]), "--data", str(service["data"]),
              "--backend", "local"]
    done = CliRunner().invoke(course, ["grade-uploads", TOY_ID, *common])
    assert done.exit_code == 0 and "graded 2, failed 0" in done.output, done.output
    gb = Gradebook(service["db"])
    assert (gb.grade(TOY_ID, "bob").late_days, gb.grade(TOY_ID, "bob").late_penalty) == (2, 0.2)
    again = CliRunner().invoke(course, ["grade-uploads", TOY_ID, "bob", *common])
    assert again.exit_code == 0 and "graded 1, failed 0" in again.output, again.output
    missing = CliRunner().invoke(course, ["grade-uploads", "no-such-lab", *common])
    assert missing.exit_code == 1 and "no-such-lab" in missing.output and "Traceback" not in missing.output
