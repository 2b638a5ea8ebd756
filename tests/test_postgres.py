"""The gradebook and ``course serve`` on PostgreSQL, over a real connection.

The module starts its own throwaway server (Debian's ``postgresql`` package: ``initdb`` and
``pg_ctl`` as the ``postgres`` user, a Unix socket in a temporary folder, no TCP) and stops it
at the end. On it: a class graded with ``course grade --db``, two TAs saving overrides for the
same student at the same moment (both kept, the later one counts), an extension recomputing the
penalty, and the service's uploads and grading from receipts.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import course
from autograder.gradebook import Gradebook, final_score, total_max, written_in_grading
from autograder.release.pipeline import release
from toy_notebooks import TOY_DIR, TOY_ID
from toy_submissions import mutant, solution

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if not found:
        pytest.fail(f"PostgreSQL's {name} is required for these tests: apt-get install postgresql", pytrace=False)
    return found


@pytest.fixture(scope="module")
def postgres_url():
    user = pwd.getpwnam("postgres") if "postgres" in {p.pw_name for p in pwd.getpwall()} else pwd.getpwnam("nobody")
    root = Path(tempfile.mkdtemp(prefix="course-pg-", dir="/tmp"))
    os.chown(root, user.pw_uid, user.pw_gid)
    data = root / "data"
    as_pg = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": root}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([_pg_bin("initdb"), "-D", str(data), "-U", "course", "-A", "trust", "--no-sync", "-E", "UTF8"],
                   check=True, capture_output=True, **as_pg)
    subprocess.run([_pg_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                    f"-k {root} -p {port} -c listen_addresses=''", "start"], check=True, capture_output=True, **as_pg)
    try:
        yield f"postgresql+psycopg://course@/postgres?host={root}&port={port}"
    finally:
        subprocess.run([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True, **as_pg)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def graded(postgres_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pg-class")
    dist = tmp / "dist"
    release(TOY_DIR, dist)
    subs = tmp / "subs"
    subs.mkdir()
    (subs / "ann.ipynb").write_bytes(solution(dist / TOY_ID))
    (subs / "ben.ipynb").write_bytes(mutant(dist / TOY_ID, "signed_mean"))
    done = CliRunner().invoke(course, ["grade", TOY_ID, str(subs), "--dist", str(dist), "--db", postgres_url,
                                       "--backend", "local", "--results", str(tmp / "results")])
    assert done.exit_code == 0, done.output
    return Gradebook(postgres_url)


def test_a_class_is_graded_into_postgres(graded):
    assert {g.student: g.score for g in graded.grades(TOY_ID)} == {"ann": 5.0, "ben": 3.0}
    assert graded.grade(TOY_ID, "ann").submitted_at.tzinfo is not None


def test_two_tas_saving_at_once_both_count(graded):
    barrier = threading.Barrier(2)
    errors = []

    def ta(name: str, points: float) -> None:
        try:
            barrier.wait()
            graded.add_override(TOY_ID, "ben", "q1", points, f"{name} read the notebook", name)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=ta, args=(n, p)) for n, p in (("tina", 1.0), ("tom", 2.0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    overrides = graded.overrides(TOY_ID, "ben")
    assert sorted(o.author for o in overrides) == ["tina", "tom"]
    final, per_question = final_score(graded.grade(TOY_ID, "ben"), overrides)
    assert per_question["q1"] == overrides[-1].points            # the later save counts; both are kept
    assert final == pytest.approx(sum(per_question.values()))


def test_two_tas_grading_written_answers_at_once(graded):
    """Four saves of the written q3 at the same moment, two per student: all kept, the later counts,
    and from then on every total is out of the written point too."""
    barrier = threading.Barrier(4)
    errors = []

    def ta(name: str, student: str, points: float) -> None:
        try:
            barrier.wait()
            graded.save_written_grade(TOY_ID, student, "q3", points, f"{name}'s comment", name)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    jobs = [("tina", "ann", 1.0), ("tom", "ben", 0.5), ("tom", "ann", 0.0), ("tina", "ben", 1.0)]
    threads = [threading.Thread(target=ta, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    written = [o for o in graded.overrides(TOY_ID) if o.question == "q3"]
    assert sorted((o.author, o.student) for o in written) == sorted((n, s) for n, s, _ in jobs)
    grades = graded.grades(TOY_ID)
    counted = written_in_grading(grades, graded.overrides(TOY_ID))
    assert counted == {"q3"} and {total_max(g, counted) for g in grades} == {6.0}
    for g in grades:
        mine = graded.overrides(TOY_ID, g.student)
        latest_q3 = [o for o in mine if o.question == "q3"][-1]
        assert final_score(g, mine)[1]["q3"] == latest_q3.points


def test_the_service_keeps_receipts_in_postgres(postgres_url, tmp_path):
    from fastapi.testclient import TestClient

    from autograder.service.app import create_app
    from autograder.service.store import ServiceStore

    dist = tmp_path / "dist"
    release(TOY_DIR, dist)
    store = ServiceStore(postgres_url, tmp_path / "files")
    (tmp_path / "roster.csv").write_text("id,role\ncara,student\n")
    store.import_roster(tmp_path / "roster.csv")
    store.set_password("cara", "correct horse battery")
    client = TestClient(create_app(store, dist, postgres_url, tmp_path, "secret", backend="local"))
    token = client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    assert client.post("/login", data={"id": "cara", "password": "correct horse battery", "csrf": token},
                       follow_redirects=False).status_code == 303
    token = client.get("/").text.split('name="csrf" value="')[1].split('"')[0]
    r = client.post(f"/submit/{TOY_ID}", data={"csrf": token}, headers={"accept": "application/json"},
                    files={"notebook": ("nb.ipynb", solution(dist / TOY_ID))})
    assert r.status_code == 201
    (row,) = ServiceStore(postgres_url, tmp_path / "files").receipts(student="cara")
    assert row.receipt_id == r.json()["receipt"] and row.received_at.tzinfo is not None
