"""The TAs' written-answers page of ``course serve`` on a large class: how long the page takes and
how long a save takes (the student's page is rewritten, or every page on a question's first grade).

    python benchmarks/written_grading.py [--students 300] [--saves 20]

Builds a class on the toy: the solution is graded once (local backend) and its result recorded
for ``--students`` students, each with their own stored notebook (a different written answer).
Each student's result carries its own metric plot, as a lab's does. Then, in-process
(Starlette's TestClient): the question's page, the first save (every page rewritten: the written
point joins every total), the same rewrite once the plots are drawn (as grading in the service
leaves them), and ``--saves`` later saves (one student's page and the dashboard).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from fastapi.testclient import TestClient  # noqa: E402

from autograder.gradebook import Gradebook  # noqa: E402
from autograder.grading.bundle import Bundle  # noqa: E402
from autograder.grading.engine import grade_notebook  # noqa: E402
from autograder.isolation.registry import get_backend  # noqa: E402
from autograder.release.pipeline import release  # noqa: E402
from autograder.service.app import create_app  # noqa: E402
from autograder.service.store import ServiceStore  # noqa: E402
from autograder.service.written import refresh_reports  # noqa: E402
from toy_notebooks import TOY_DIR, TOY_ID  # noqa: E402
from toy_submissions import MEAN_ABS_OK, SOFTMAX_OK, submission  # noqa: E402

PASSWORD = "correct horse battery"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--saves", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="written-bench-"))
    dist = tmp / "dist"
    release(TOY_DIR, dist)
    db = f"sqlite:///{tmp / 'gb.db'}"
    store, gb = ServiceStore(db, tmp / "data" / "files"), Gradebook(db)
    base = json.loads(submission(dist / TOY_ID, MEAN_ABS_OK, SOFTMAX_OK))
    result = grade_notebook(Bundle.load(dist / TOY_ID / "autograder"), json.dumps(base).encode(), get_backend("local"))
    t0 = time.perf_counter()
    for i in range(args.students):
        student = f"s{i:04d}"
        for cell in base["cells"]:
            if cell["metadata"].get("course", {}).get("answer") == "q3":
                cell["source"] = f"Answer {i}: the factor **e^-c** cancels between numerator and denominator."
        stored = store.store(TOY_ID, student, json.dumps(base).encode(), f"{TOY_ID}.ipynb")
        mine = json.loads(json.dumps(result))
        for m in (mine.get("artifacts") or {}).get("metrics") or []:     # each student's own plot
            m["student"] = float(m.get("student") or 0) + i * 1e-4
        gb.record(dict(mine, student=student, notebook_sha256=stored.sha256))
    print(f"a class of {args.students} recorded in {time.perf_counter() - t0:.1f} s")
    (tmp / "roster.csv").write_text("id,role\ntina,ta\n")
    store.import_roster(tmp / "roster.csv")
    store.set_password("tina", PASSWORD)
    app = create_app(store, dist, db, tmp / "data", "bench-secret", backend="local")
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"id": "tina", "password": PASSWORD, "csrf": token})
    page = f"/staff/written/{TOY_ID}/q3"

    def timed(fn) -> float:
        t = time.perf_counter()
        r = fn()
        assert r.status_code in (200, 303), (r.status_code, r.text[:300])
        return time.perf_counter() - t

    views = [timed(lambda: client.get(page)) for _ in range(3)]
    token = re.search(r'name="csrf" value="([^"]+)"', client.get(page).text).group(1)

    def save(i: int):
        return lambda: client.post(page, data={"csrf": token, "student": f"s{i:04d}", "points": "1",
                                               "comment": "right", "next": "s0"}, follow_redirects=False)

    answered = timed(save(0))      # answered at once; every page is rewritten in the background
    t = time.perf_counter()
    while app.state.pages_busy(TOY_ID):
        time.sleep(0.05)
    cold = answered + time.perf_counter() - t      # every plot drawn (a service restarted since grading)
    t = time.perf_counter()        # the same with the plots drawn already (by grading, in the service's process)
    refresh_reports(gb, dist / TOY_ID / "autograder", tmp / "data" / "reports" / TOY_ID)
    warm = time.perf_counter() - t
    later = [timed(save(i)) for i in range(1, 1 + args.saves)]
    pages = len(list((tmp / "data" / "reports" / TOY_ID).glob("*.html")))
    print(f"question page with {args.students} answers: median {statistics.median(views):.2f} s, "
          f"worst {max(views):.2f} s ({len(client.get(page).content) / 1e6:.1f} MB)")
    print(f"a question's first save: answered in {answered:.2f} s; all {pages} pages rewritten in the background "
          f"in {cold:.1f} s with every plot to draw, {warm:.1f} s with the plots drawn by grading")
    print(f"later saves (one student's page and the dashboard): median {statistics.median(later):.2f} s, "
          f"worst {max(later):.2f} s")


if __name__ == "__main__":
    main()
