"""``course serve`` under load: concurrent uploads from loopback, latency and throughput.

    python benchmarks/serve_load.py [--uploads 200] [--clients 16] [--timeout 300]

Releases the toy into a temporary folder, starts ``course serve`` (uvicorn, one process) on a
free port, signs in ``--clients`` students at once (timed apart) and then has them upload
``--uploads`` distinct notebooks (the toy's solution with one cell added, ~3 KB) as fast as the server answers.
Prints p50 / p95 / max latency per upload and uploads per second, then checks every receipt
against the database and the stored file (its sha256). Bounded: it stops at ``--timeout``
seconds whatever happens.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from autograder.release.pipeline import release  # noqa: E402
from autograder.service.client import ServiceClient  # noqa: E402
from autograder.service.store import ServiceStore  # noqa: E402
from test_serve_durability import PASSWORD, free_port, notebook, start  # noqa: E402
from toy_notebooks import TOY_DIR, TOY_ID  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--uploads", type=int, default=200)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="serve-load-"))
    release(TOY_DIR, tmp / "dist")
    store = ServiceStore(f"sqlite:///{tmp / 'gb.db'}", tmp / "data" / "files")
    students = [f"s{i:03d}" for i in range(args.clients)]
    (tmp / "roster.csv").write_text("id,role\n" + "".join(f"{s},student\n" for s in students))
    store.import_roster(tmp / "roster.csv")
    for s in students:
        store.set_password(s, PASSWORD)
    base = json.loads((tmp / "dist" / TOY_ID / "autograder" / "solution.ipynb").read_text())
    port = free_port()
    server = start(tmp, port)
    latencies, receipts, failures, lock = [], [], [], threading.Lock()
    signed_in = threading.Barrier(args.clients + 1)      # uploads start once every client is signed in
    deadline = time.monotonic() + args.timeout
    per_client = [args.uploads // args.clients + (i < args.uploads % args.clients) for i in range(args.clients)]

    def client(name: str, count: int) -> None:
        c = ServiceClient(f"http://127.0.0.1:{port}")
        try:
            try:
                c.sign_in(name, PASSWORD)
            finally:
                signed_in.wait(args.timeout)
            for n in range(count):
                if time.monotonic() > deadline:
                    return
                data = notebook(base, name, n)
                t0 = time.perf_counter()
                r = c.upload(TOY_ID, data, f"{TOY_ID}.ipynb")
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    (receipts.append((r.json(), hashlib.sha256(data).hexdigest())) if r.status_code == 201
                     else failures.append(r.status_code))
        finally:
            c.close()

    try:
        threads = [threading.Thread(target=client, args=(s, k)) for s, k in zip(students, per_client)]
        t_in = time.perf_counter()
        for t in threads:
            t.start()
        signed_in.wait(args.timeout)
        sign_ins = time.perf_counter() - t_in
        start_t = time.perf_counter()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        wall = time.perf_counter() - start_t
    finally:
        server.kill()
        server.wait(10)
    rows = {r.receipt_id: r for r in store.receipts()}
    bad = [got for got, sha in receipts if rows.get(got["receipt"]) is None or rows[got["receipt"]].sha256 != sha
           or hashlib.sha256(store.file_path(sha).read_bytes()).hexdigest() != sha]
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    print(f"{len(receipts)} uploads by {args.clients} clients in {wall:.1f} s: {len(receipts) / wall:.1f} uploads/s; "
          f"latency p50 {1000 * statistics.median(latencies):.0f} ms, p95 {1000 * q[18]:.0f} ms, "
          f"max {1000 * max(latencies):.0f} ms; refused {len(failures)}; receipts not matching the store: {len(bad)}")
    print(f"{args.clients} sign-ins at once (argon2 each) took {sign_ins:.1f} s")
    sys.exit(1 if bad or failures else 0)


if __name__ == "__main__":
    main()
