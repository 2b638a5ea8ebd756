"""Nothing lost: ``kill -9`` of ``course serve`` during 50 uploads, then a restart.

Five students upload ten distinct notebooks each, in parallel, against the real server
(uvicorn, in its own process). After 20 receipts the server is killed with SIGKILL. After a
restart every upload that got a receipt is listed exactly once, its file is there with the
receipted sha256, and the only rows without a receipt in hand are uploads that were in flight
when the server died (stored, then killed before it could answer: the student sees them
listed on their page).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.release.pipeline import release
from autograder.service.client import ServiceClient
from autograder.service.store import ServiceStore
from toy_notebooks import TOY_DIR, TOY_ID

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("serve-durability")]
PASSWORD = "correct horse battery"
STUDENTS = [f"s{i}" for i in range(5)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "autograder.cli", "serve", "--port", str(port), "--db",
                             f"sqlite:///{tmp / 'gb.db'}", "--dist", str(tmp / "dist"), "--data", str(tmp / "data"),
                             "--backend", "local"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("course serve did not start")


def notebook(base: dict, student: str, n: int) -> bytes:
    nb = json.loads(json.dumps(base))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": f"upload {n} of {student}"})
    return json.dumps(nb).encode()


def test_kill_minus_nine_loses_no_receipted_upload(tmp_path):
    release(TOY_DIR, tmp_path / "dist")
    store = ServiceStore(f"sqlite:///{tmp_path / 'gb.db'}", tmp_path / "data" / "files")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,role\n" + "".join(f"{s},student\n" for s in STUDENTS))
    store.import_roster(roster)
    for s in STUDENTS:
        store.set_password(s, PASSWORD)
    base = json.loads((tmp_path / "dist" / TOY_ID / "autograder" / "solution.ipynb").read_text())
    port = free_port()
    server = start(tmp_path, port)
    receipts, attempted, lock = [], [], threading.Lock()
    killed = threading.Event()

    def student(name: str) -> None:
        client = ServiceClient(f"http://127.0.0.1:{port}")
        try:
            client.sign_in(name, PASSWORD)
            for n in range(10):
                data = notebook(base, name, n)
                with lock:
                    attempted.append(hashlib.sha256(data).hexdigest())
                r = client.upload(TOY_ID, data, f"{TOY_ID}.ipynb")
                if r.status_code == 201:
                    with lock:
                        receipts.append(r.json())
                        if len(receipts) == 20:
                            os.kill(server.pid, signal.SIGKILL)
                            killed.set()
        except Exception:  # noqa: BLE001 - the connection dies with the server: that is the test
            pass
        finally:
            client.close()

    threads = [threading.Thread(target=student, args=(s,)) for s in STUDENTS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert killed.is_set() and server.wait(10) == -signal.SIGKILL
    assert 20 <= len(receipts) < 50

    server = start(tmp_path, port)     # restart on the same data
    try:
        listed = ServiceStore(f"sqlite:///{tmp_path / 'gb.db'}", tmp_path / "data" / "files").receipts()
        ids = [r.receipt_id for r in listed]
        assert len(ids) == len(set(ids))
        by_id = {r.receipt_id: r for r in listed}
        for got in receipts:                 # every receipt in hand: listed once, with its file intact
            row = by_id[got["receipt"]]
            assert (row.student, row.sha256, row.size) == (got["student"], got["sha256"], got["size"])
            assert hashlib.sha256(store.file_path(row.sha256).read_bytes()).hexdigest() == row.sha256
        in_hand = {g["receipt"] for g in receipts}
        extra = [r for r in listed if r.receipt_id not in in_hand]
        assert len(extra) <= len(STUDENTS), extra      # at most one in flight per student at the kill
        assert all(r.sha256 in attempted and store.file_path(r.sha256).is_file() for r in extra)
        client = ServiceClient(f"http://127.0.0.1:{port}")
        client.sign_in(STUDENTS[0], PASSWORD)
        page = client.http.get("/").text
        assert all(r.sha256[:12] in page for r in listed if r.student == STUDENTS[0])
        client.close()
    finally:
        server.kill()
        server.wait(10)
