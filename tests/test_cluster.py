"""`course grade --cluster` (issue 25) with real processes on 127.0.0.1: a `dask scheduler` and two
`dask worker`s started here, a class of twelve, one worker killed during the run: every student
graded once, with the scores the single-machine run gives."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder.gradebook import Gradebook
from autograder.grading.class_grading import grade_class
from autograder.isolation.local import LocalBackend
from toy_notebooks import TOY_ID
from toy_submissions import MUTANTS, mutant, partial, release_toy, solution, template

pytestmark = pytest.mark.slow
DASK = Path(sys.executable).with_name("dask")


def _class(dist: Path, folder: Path) -> dict[str, bytes]:
    slow = "import time\ntime.sleep(4)"            # long enough to be killed while it runs
    subs = {f"sol{i}": solution(dist) for i in range(3)}
    subs.update({f"slow{i}": partial(dist, after=[slow]) for i in range(2)})
    subs["template"] = template(dist)
    subs.update({f"mut-{name}": mutant(dist, name) for name in MUTANTS})
    subs["exits"] = partial(dist, after=["import os\nos._exit(3)"])
    subs["raises"] = partial(dist, after=["raise SystemExit('bye')"])
    folder.mkdir()
    for student, data in subs.items():
        (folder / f"{student}.ipynb").write_bytes(data)
    return subs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="3", OMP_NUM_THREADS="1")
    return subprocess.Popen([str(DASK), *args], stdout=log.open("w"), stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _scores(gb: Gradebook) -> dict[str, tuple[float, str]]:
    return {g.student: (g.score, g.exit_reason) for g in gb.grades(TOY_ID)}


def test_a_class_on_two_workers_survives_losing_one(tmp_path):
    dist = release_toy(tmp_path / "dist")
    subs = _class(dist, tmp_path / "subs")
    assert len(subs) >= 10

    here = Gradebook(f"sqlite:///{tmp_path / 'here.db'}")
    grade_class(dist / "autograder", tmp_path / "subs", LocalBackend(), here, tmp_path / "results-here",
                workers=2, progress=False)
    expected = _scores(here)
    assert len(expected) == len(subs)

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                    tmp_path / "scheduler.log")]
    try:
        from distributed import Client

        for name in ("w1", "w2"):
            procs.append(_start(["worker", address, "--nthreads", "1", "--nworkers", "1", "--name", name,
                                 "--no-dashboard"], tmp_path / f"{name}.log"))
        watch = Client(address, timeout="30s")
        watch.wait_for_workers(2, timeout=120)
        w1 = next(a for a, w in watch.scheduler_info()["workers"].items() if w["name"] == "w1")

        there = Gradebook(f"sqlite:///{tmp_path / 'there.db'}")
        outcome: dict = {}

        def run():
            outcome["summary"] = grade_class(dist / "autograder", tmp_path / "subs", "local", there,
                                             tmp_path / "results-there", progress=False, cluster=address)

        grading = threading.Thread(target=run)
        grading.start()
        deadline = time.monotonic() + 300
        while not (there.graded(TOY_ID) and watch.processing().get(w1)) and time.monotonic() < deadline:
            time.sleep(0.05)
        lost = list(watch.processing().get(w1) or [])
        _stop(procs[1])                       # w1 dies with what it is grading
        assert lost, "w1 held a submission when it was killed"
        grading.join(timeout=600)
        watch.close()
        assert not grading.is_alive(), "the class did not finish on the remaining worker"

        summary = outcome["summary"]
        graded = [r["student"] for r in summary.graded]
        assert sorted(graded) == sorted(subs), "every student graded exactly once"
        assert summary.failed == []
        assert _scores(there) == expected
        by_key = {r["student"]: r["grading"]["worker"] for r in summary.graded}
        rerun = [k for k in lost if any(f"-{student}-" in str(k) for student in by_key)]
        assert rerun and all(by_key[s] != w1 for s in by_key if any(f"-{s}-" in str(k) for k in lost)), \
            "what w1 held was graded on the other worker"
    finally:
        for p in reversed(procs):
            _stop(p)
        shutil.rmtree(tmp_path / "results-there", ignore_errors=True)


def test_a_worker_on_another_zoo_refuses_and_the_rest_stands(tmp_path, monkeypatch):
    """`local:1` with a release recorded on other weights: nobody is graded against them, each
    student is named as not graded, and a rerun would retry them."""
    import json

    dist = release_toy(tmp_path / "dist")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.ipynb").write_bytes(solution(dist))
    from course_lib.models import zoo

    fingerprint = dist / "autograder" / "zoo.json"
    fingerprint.write_text(json.dumps({**zoo.fingerprint(["tiny-gpt"]), "tiny-gpt": "0" * 64}))
    gb = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    summary = grade_class(dist / "autograder", subs, "local", gb, tmp_path / "results", progress=False,
                          cluster="local:1")
    assert summary.graded == [] and gb.grades(TOY_ID) == []
    assert len(summary.failed) == 1 and "ada: not graded on the cluster" in summary.failed[0]
    assert "tiny-gpt: sha256 000000000000... at release" in summary.failed[0]


def test_a_submission_that_kills_its_workers_is_a_crash_not_a_loop(tmp_path):
    """Under the unsafe local backend a notebook can kill the worker grading it (docker and the
    sandbox keep it in its own process namespace); Dask reruns it on a fresh worker until its
    allowed failures are spent, then the student is recorded as a crash and the class goes on."""
    import dask

    dist = release_toy(tmp_path / "dist")
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.ipynb").write_bytes(solution(dist))
    (subs / "mallory.ipynb").write_bytes(partial(dist, after=["import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"]))
    gb = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}")
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        summary = grade_class(dist / "autograder", subs, "local", gb, tmp_path / "results", progress=False,
                              cluster="local:2")
    scores = _scores(gb)
    assert scores["ada"] == (5.0, "ok")
    assert scores["mallory"] == (0.0, "crash") and summary.failed == []
    assert "died each time" in next(r for r in summary.graded if r["student"] == "mallory")["exit_detail"]
