"""``[serve] public_tests = true``: each upload's public tests run (one at a time, on the service's
backend) and the receipt page shows them; hidden tests never run there, so nothing of theirs
reaches the page. In-process on the toy with the local backend (the tests' own choice: the
service's default is the best backend the machine has).
"""

from __future__ import annotations

import json
import time

from autograder.grading.bundle import Bundle
from autograder.service.app import create_app
from autograder.service.checks import public_only
from test_serve import make_service, signed_in, upload
from test_serve_written import text_of
from toy_notebooks import TOY_ID
from toy_submissions import SECRET_WORDS, mutant, solution, template


def receipt_page(client, rid: int, until: str, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while True:
        page = text_of(client.get(f"/receipts/{rid}").text)
        if until in page or time.monotonic() > deadline:
            return page
        time.sleep(0.5)


def test_public_only_drops_every_hidden_test(tmp_path):
    service = make_service(tmp_path)
    bundle = Bundle.load(service["dist"] / TOY_ID / "autograder")
    public = public_only(bundle)
    assert public.tests and all(not t["hidden"] for t in public.tests)
    assert len(public.tests) < len(bundle.tests)
    names = {t["name"] for t in public.tests}
    assert all(set(q["tests"]) <= names for q in public.questions)


def test_uploads_show_their_public_tests(tmp_path):
    service = make_service(tmp_path, "\n[serve]\npublic_tests = true\n")
    dist = service["dist"] / TOY_ID
    alice = signed_in(service, "alice")
    hidden = [t for t in json.loads((dist / "autograder" / "tests.json").read_text())["tests"] if t["hidden"]]
    public = [t for t in json.loads((dist / "autograder" / "tests.json").read_text())["tests"] if not t["hidden"]]
    first = upload(alice, template(dist))
    assert first.status_code == 201 and "Public tests" in first.text          # queued or running already
    second = upload(alice, mutant(dist, "no_empty_case"))                      # wrong only where hidden tests look
    third = upload(alice, solution(dist))
    rids = [r.receipt_id for r in service["store"].receipts(student="alice")]
    assert len(rids) == 3

    stub = receipt_page(alice, rids[0], "public tests passed")
    assert f"0 of {len(public)} public tests passed" in stub and "Hidden tests run only when staff grade" in stub
    assert "softmax(x) must sum to 1" in stub                                 # a public test's own message
    signed = receipt_page(alice, rids[1], "public tests passed")
    assert f"{len(public)} of {len(public)} public tests passed" in signed     # the hidden test that fails: absent
    full = receipt_page(alice, rids[2], "public tests passed")
    assert f"{len(public)} of {len(public)} public tests passed" in full
    for page in (stub, signed, full):
        assert not any(t["name"] in page for t in hidden), "a hidden test's name reached the receipt"
        assert not any(w in page for w in SECRET_WORDS) and "zebra-7" not in page
    assert second.status_code == third.status_code == 201
    # the outcome is kept: a restarted service shows it at once, from its file
    again = create_app(service["store"], service["dist"], service["db"], service["data"], "test-secret",
                       backend="local")
    page = text_of(signed_in({**service, "app": again}, "alice").get(f"/receipts/{rids[2]}").text)
    assert f"{len(public)} of {len(public)} public tests passed" in page


def test_without_the_setting_nothing_runs(tmp_path):
    service = make_service(tmp_path)
    alice = signed_in(service, "alice")
    r = upload(alice, solution(service["dist"] / TOY_ID))
    assert r.status_code == 201 and "Public tests" not in r.text
    assert not (service["data"] / "checks").exists()
