"""`course grade` is resumable: kill -9 it halfway, rerun, and every student is graded exactly once.

A class of 26 submission files (bare notebooks, `course submit` zips, a student who submitted
twice, a corrupt notebook and a broken zip) is graded by the real command in a subprocess with
``--backend sandbox --workers 2``. The test kills it with SIGKILL once a third of the class is
in the gradebook, reruns it to the end, checks the gradebook against the results files, then
checks that a third run regrades nothing and that ``--regrade`` regrades everything.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil
import pytest

from autograder.student.submit import submit
from toy_notebooks import REPO, TOY_ID
from toy_submissions import MUTANT_SCORES, MUTANTS, PARTIAL_SCORE, backend_or_fail, mutant, partial, release_toy, \
    solution, template

pytestmark = pytest.mark.sandbox


def _class(dist: Path, folder: Path) -> dict[str, float]:
    """Write the class into ``folder``; returns student -> expected score."""
    kinds = {"solution": (solution(dist), 5.0), "template": (template(dist), 0.0),
             "partial": (partial(dist), PARTIAL_SCORE),
             **{m: (mutant(dist, m), MUTANT_SCORES[m]) for m in MUTANTS}}
    expected: dict[str, float] = {}
    names = list(kinds)
    work = folder.parent / "notebooks"
    work.mkdir()
    for i in range(22):
        student = f"s{i:02d}"
        data, score = kinds[names[i % len(names)]]
        if i % 4 == 3:       # some as `course submit` zips (student id from the manifest)
            nb = work / f"{student}.ipynb"
            nb.write_bytes(data)
            submit(nb, student, folder, now=datetime(2025, 3, 1, 12, i, tzinfo=timezone.utc))
        else:
            (folder / f"{student}.ipynb").write_bytes(data)
        expected[student] = score
    # a student who submitted twice: only the later zip counts
    nb = work / "twice.ipynb"
    nb.write_bytes(template(dist))
    submit(nb, "twice", folder, now=datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc))
    nb.write_bytes(solution(dist))
    submit(nb, "twice", folder, now=datetime(2025, 3, 2, 9, 0, tzinfo=timezone.utc))
    expected["twice"] = 5.0
    # unreadable submissions are graded too: zero, with the reason
    (folder / "corrupt.ipynb").write_bytes(b"{ not json")
    expected["corrupt"] = 0.0
    broken = folder / f"{TOY_ID}_brokenzip_20250301T120000Z.zip"
    broken.write_bytes(b"PK\x03\x04 this is not a zip")
    expected[broken.stem] = 0.0
    return expected


def _rows(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT student, score, exit_reason, result_json, graded_at FROM grades "
                                "WHERE assignment = ?", (TOY_ID,)).fetchall()
    except sqlite3.OperationalError:      # not created yet
        return []


def _course(args: list[str], **kw) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "autograder.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _finish(args: list[str], timeout: float = 300) -> str:
    p = _course(args)
    out, err = p.communicate(timeout=timeout)
    assert p.returncode == 0, f"course {' '.join(args)} failed ({p.returncode}):\n{out}\n{err}"
    return out


def _count(pattern: str, text: str) -> int:
    m = re.search(pattern, text)
    return int(m.group(1)) if m else 0


def test_kill_resume_regrade(tmp_path):
    backend_or_fail("sandbox")
    dist_root = tmp_path / "dist"
    dist = release_toy(dist_root)
    subs = tmp_path / "submissions"
    subs.mkdir()
    expected = _class(dist, subs)
    total = len(expected)
    db, results = tmp_path / "gradebook.db", tmp_path / "results"
    args = ["grade", TOY_ID, str(subs), "--backend", "sandbox", "--workers", "2", "--db", f"sqlite:///{db}",
            "--dist", str(dist_root), "--results", str(results)]

    # 1. start, and kill -9 once a third of the class is in the gradebook
    p = _course(args)
    deadline = time.monotonic() + 180
    while len(_rows(db)) < total // 3:
        assert p.poll() is None, f"course grade ended before it could be killed:\n{p.communicate()}"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)
    runners = [c.pid for c in psutil.Process(p.pid).children(recursive=True)]
    os.kill(p.pid, signal.SIGKILL)
    assert p.wait(timeout=30) == -signal.SIGKILL
    p.communicate()
    done_before = {r[0] for r in _rows(db)}
    assert total // 3 <= len(done_before) < total, "the kill must land halfway"
    # the submissions being graded die with the grader (bubblewrap --die-with-parent)
    gone, alive = psutil.wait_procs([psutil.Process(pid) for pid in runners if psutil.pid_exists(pid)], timeout=15)
    assert not alive, f"processes outlived the killed grader: {alive}"

    # 2. rerun: grades exactly what was not recorded
    out = _finish(args)
    assert _count(r"graded (\d+) in", out) == total - len(done_before), out
    assert _count(r"unchanged since last run \(use --regrade to redo\): (\d+)", out) == len(done_before), out
    assert "superseded: twice" in out
    rows = _rows(db)
    students = [r[0] for r in rows]
    assert sorted(students) == sorted(expected), "every student exactly once"
    assert {r[0]: r[1] for r in rows} == expected
    for student, score, reason, result_json, _ in rows:
        on_disk = json.loads((results / TOY_ID / f"{student}.json").read_text())
        assert on_disk == json.loads(result_json), student
        assert reason == ("invalid" if student in ("corrupt", f"{TOY_ID}_brokenzip_20250301T120000Z") else "ok")
    assert sorted(p.stem for p in (results / TOY_ID).glob("*.json")) == sorted(expected)
    assert not list((results / TOY_ID).glob(".*")), "a half-written results file was left behind"
    graded_at = {r[0]: r[4] for r in rows}

    # 3. a third run has nothing to do
    out = _finish(args)
    assert _count(r"graded (\d+) in", out) == 0, out
    assert _count(r"unchanged since last run \(use --regrade to redo\): (\d+)", out) == total, out
    assert {r[0]: r[4] for r in _rows(db)} == graded_at

    # 4. --regrade grades everything again, still once per student
    time.sleep(1.1)      # graded_at has one-second resolution
    out = _finish(args + ["--regrade"])
    assert _count(r"graded (\d+) in", out) == total, out
    rows = _rows(db)
    assert sorted(r[0] for r in rows) == sorted(expected)
    assert {r[0]: r[1] for r in rows} == expected
    assert all(r[4] != graded_at[r[0]] for r in rows)
    for student, *_rest in rows:
        on_disk = json.loads((results / TOY_ID / f"{student}.json").read_text())
        assert on_disk == json.loads(_rest[2])
