"""``course submit NOTEBOOK --to URL``: the student's command uploads to ``course serve`` (a real
server in its own process) and prints the receipt the server stamped, signed in with the password
or with an upload token; a wrong password, a replaced token, a notebook the service refuses and an
unreachable service are one line each."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from autograder.cli import course
from autograder.release.pipeline import release
from autograder.service.store import ServiceStore
from test_serve_durability import PASSWORD, free_port, start
from toy_notebooks import TOY_DIR, TOY_ID

pytestmark = pytest.mark.xdist_group("serve-durability")


def test_submit_to_the_service_prints_the_receipt(tmp_path):
    release(TOY_DIR, tmp_path / "dist")
    store = ServiceStore(f"sqlite:///{tmp_path / 'gb.db'}", tmp_path / "data" / "files")
    (tmp_path / "roster.csv").write_text("id,role\nalice,student\n")
    store.import_roster(tmp_path / "roster.csv")
    store.set_password("alice", PASSWORD)
    nb = tmp_path / "work" / f"{TOY_ID}.ipynb"
    nb.parent.mkdir()
    nb.write_bytes((tmp_path / "dist" / TOY_ID / "student" / f"{TOY_ID}.ipynb").read_bytes())
    port = free_port()
    server = start(tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    try:
        done = CliRunner().invoke(course, ["submit", str(nb), "--student", "alice", "--to", url], input=f"{PASSWORD}\n")
        assert done.exit_code == 0, done.output
        (receipt,) = store.receipts(student="alice")
        assert f"receipt {receipt.receipt_id}: {TOY_ID} received" in done.output and receipt.sha256 in done.output
        assert store.file_path(receipt.sha256).read_bytes() == nb.read_bytes()

        wrong = CliRunner().invoke(course, ["submit", str(nb), "--student", "alice", "--to", url,
                                            "--password", "not the password"])
        assert wrong.exit_code == 1 and "signing in as alice was refused" in wrong.output
        other = json.loads(nb.read_text())
        other["metadata"]["course"]["assignment"] = "no-such-lab"
        nb.write_text(json.dumps(other))
        refused = CliRunner().invoke(course, ["submit", str(nb), "--student", "alice", "--to", url,
                                              "--password", PASSWORD])
        assert refused.exit_code == 1 and "refused the upload (404): there is no assignment 'no-such-lab'" in refused.output
        assert "Traceback" not in wrong.output + refused.output

        # with an upload token instead of the password (from `course roster upload-token` or the page)
        nb.write_bytes((tmp_path / "dist" / TOY_ID / "student" / f"{TOY_ID}.ipynb").read_bytes())
        token = store.issue_upload_token("alice")
        by_token = CliRunner().invoke(course, ["submit", str(nb), "--student", "alice", "--to", url],
                                      env={"COURSE_TOKEN": token})
        assert by_token.exit_code == 0 and "received" in by_token.output, by_token.output
        assert len(store.receipts(student="alice")) == 2
        store.issue_upload_token("alice")                       # a new token: the old one stops working
        stale = CliRunner().invoke(course, ["submit", str(nb), "--student", "alice", "--to", url, "--token", token])
        assert stale.exit_code == 1 and "refused the upload (401): this upload token is not valid" in stale.output
    finally:
        server.kill()
        server.wait(10)
    gone = CliRunner().invoke(course, ["submit", str(nb), "--student", "alice", "--to", url, "--password", PASSWORD])
    assert gone.exit_code == 1 and "cannot reach the course service" in gone.output
    assert len(store.receipts()) == 2
