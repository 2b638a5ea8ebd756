"""The in-process cell runner, ``course check``, ``course submit`` and reading submissions."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli.student import check_cmd, submit_cmd
from autograder.isolation.execution import run_cells
from autograder.student.check import check_notebook, notebook_directory
from autograder.release.pipeline import release
from autograder.grading.submissions import read_submissions
from autograder.student.submit import SubmitError, submit
from toy_notebooks import TOY_DIR, TOY_ID

# --------------------------------------------------------------------------- run_cells


def test_cells_share_a_namespace_and_errors_do_not_stop_the_run():
    ns: dict = {}
    out = run_cells(["x = 2\nprint('hello')", "1 / 0", "import sys; sys.exit(3)", "exit()",
                     "raise KeyboardInterrupt", "y = x * 21"], ns, cell_timeout_s=None)
    assert [o.status for o in out] == ["ok", "error", "error", "error", "error", "ok"]
    assert out[0].stdout == "hello\n" and ns["y"] == 42
    assert 'File "<cell 2>", line 1' in out[1].error and "ZeroDivisionError" in out[1].error
    assert "SystemExit: 3" in out[2].error and "SystemExit" in out[3].error
    assert "KeyboardInterrupt" in out[4].error
    assert "execution.py" not in out[1].error  # our own frames are not shown


def test_traceback_names_cell_numbers_and_lines():
    out = run_cells(["def f():\n    return missing\n", "f()"], {}, None, cell_numbers=[4, 9])
    assert out[1].index == 9
    assert 'File "<cell 9>", line 1' in out[1].error
    assert 'File "<cell 4>", line 2, in f' in out[1].error and "return missing" in out[1].error


def test_timeouts_even_when_swallowed():
    ns: dict = {}
    loops = [
        "while True:\n    pass",
        "import time\nwhile True:\n    try:\n        time.sleep(0.01)\n    except BaseException:\n        pass",
        "done = True",
    ]
    old = signal.getsignal(signal.SIGALRM)
    out = run_cells(loops, ns, cell_timeout_s=0.3)
    assert [o.status for o in out] == ["timeout", "timeout", "ok"]
    assert "<cell 1>" in out[0].error and "0.3 s" in out[0].error
    assert out[1].seconds < 5
    assert signal.getsignal(signal.SIGALRM) == old
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_cell_kept_waiting_for_a_cpu_is_timed_on_its_own_time(monkeypatch):
    """A busy machine's run-queue wait does not count against a cell, up to WALL_CAP times its limit."""
    import time

    from autograder.isolation import execution

    start = time.monotonic()
    monkeypatch.setattr(execution, "_queue_wait_s", lambda: 0.75 * (time.monotonic() - start))  # 3/4 spent waiting
    out = run_cells(["import time\ntime.sleep(0.6)", "while True:\n    pass"], {}, cell_timeout_s=0.4)
    assert [o.status for o in out] == ["ok", "timeout"]          # 0.6 s on the wall clock, 0.15 s of its own
    assert execution.WALL_CAP * 0.4 <= out[1].seconds < 1.5, out[1].seconds    # the wall clock still ends it


def test_schedstat_counts_the_time_a_thread_waits_for_a_cpu():
    """What OwnClock reads: the kernel's run delay of this thread grows while others hold its CPU."""
    import subprocess
    import sys
    import time

    from autograder.isolation.execution import _queue_wait_s

    cpu = min(os.sched_getaffinity(0))
    before_affinity = os.sched_getaffinity(0)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"], preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
            for _ in range(2)]
    try:
        os.sched_setaffinity(0, {cpu})
        time.sleep(0.2)
        wait0, end = _queue_wait_s(), time.monotonic() + 0.6
        while time.monotonic() < end:
            pass
        waited = _queue_wait_s() - wait0
    finally:
        os.sched_setaffinity(0, before_affinity)
        for p in busy:
            p.kill()
            p.wait()
    assert waited > 0.15, waited          # about 0.4 s of 0.6 with two others on the CPU


def test_output_is_capped_without_storing_it():
    import tracemalloc

    tracemalloc.start()
    out = run_cells(["for _ in range(50):\n    print('x' * 1_000_000)", "print('after')"], {}, None,
                    output_limit=1000, total_output_limit=1500)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20_000_000  # 50 MB printed, never held
    assert out[0].truncated and len(out[0].stdout) < 1200
    assert "characters of output dropped" in out[0].stdout
    assert out[1].stdout.startswith("after")  # 500 characters of total budget left
    many = run_cells(["print('y' * 800)"] * 3, {}, None, output_limit=1000, total_output_limit=1500)
    assert [m.truncated for m in many] == [False, True, True]


def test_magics_and_shell_lines_are_commented_out():
    ns: dict = {}
    out = run_cells(["%matplotlib inline\n!pip install foo\nx = 1", "%%bash\necho hi", "%%time\ny = 2",
                     "import asyncio\nawait asyncio.sleep(0)\nz = 3"], ns, None)
    assert [o.status for o in out] == ["ok"] * 4
    assert (ns["x"], ns["y"], ns["z"]) == (1, 2, 3)


# --------------------------------------------------------------------------- course check


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    return release(TOY_DIR, out).folder


@pytest.fixture
def student(released, tmp_path) -> Path:
    """A fresh copy of the student folder; returns the notebook's path."""
    shutil.copytree(released / "student", tmp_path / "student")
    return tmp_path / "student" / f"{TOY_ID}.ipynb"


def solve(notebook: Path, released: Path, only: set[str] | None = None) -> None:
    """Paste the reference's code into the student's answer cells (matched by first line)."""
    sol = nbformat.read(released / "autograder" / "solution.ipynb", as_version=4)
    by_head = {c.source.split("\n")[0]: c.source for c in sol.cells if c.cell_type == "code"}
    nb = nbformat.read(notebook, as_version=4)
    for c in nb.cells:
        head = c.source.split("\n")[0]
        if "otter_answer_cell" in c.metadata.get("tags", []) and c.cell_type == "code":
            if only is None or any(name in head for name in only):
                c.source = by_head[head]
    nbformat.write(nb, notebook)


def test_check_unanswered_notebook_fails(student):
    result = CliRunner().invoke(check_cmd, [str(student)])
    assert result.exit_code == 1, result.output
    rows = {line.split()[0]: line for line in result.output.split("\n") if line.startswith("q")}
    assert "FAILED" in rows["q1"] and "0/1 passed" in rows["q1"] and rows["q1"].split()[1] == "2"
    assert "FAILED" in rows["q2"] and "graded by staff" in rows["q3"]
    assert "q2 - 1: softmax(x) must sum to 1" in result.output
    assert "q1 - 1: `assert mean_abs([1, -1]) == 1.0` raised" in result.output


def test_check_solved_notebook_passes(student, released):
    solve(student, released)
    result = CliRunner().invoke(check_cmd, [str(student)])
    assert result.exit_code == 0, result.output
    assert re.search(r"q1\s+2\s+1/1 passed\s+passed", result.output)
    assert re.search(r"q2\s+3\s+1/1 passed\s+passed", result.output)
    assert "All public tests pass" in result.output


def test_check_one_question(student, released):
    solve(student, released, only={"mean_abs"})
    assert CliRunner().invoke(check_cmd, [str(student), "--question", "q1"]).exit_code == 0
    assert CliRunner().invoke(check_cmd, [str(student), "--question", "q2"]).exit_code == 1
    bad = CliRunner().invoke(check_cmd, [str(student), "--question", "q9"])
    assert bad.exit_code != 0 and "no question 'q9'" in bad.output


def test_check_needs_the_tests_folder(student):
    shutil.rmtree(student.parent / "tests")
    result = CliRunner().invoke(check_cmd, [str(student)])
    assert result.exit_code == 1 and "no tests/ folder next to it" in result.output


def test_check_survives_exit_and_endless_loops(student, released):
    solve(student, released)
    nb = nbformat.read(student, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("exit()"))
    nb.cells.append(nbformat.v4.new_code_cell("while True:\n    pass"))
    nbformat.write(nb, student)
    report = check_notebook(student, cell_timeout_s=0.5)
    assert report.ok
    assert [c.status for c in report.cells[-2:]] == ["error", "timeout"]


def test_grader_check_works_outside_jupyter(student, released):
    """The released notebook's own `grader.check` cells work when run by `run_cells`."""
    solve(student, released)
    nb = nbformat.read(student, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    # keep what the check cells return (Jupyter would display it; run_cells displays nothing)
    code = [re.sub(r'^grader\.check\("(\w+)"\)$', r'result_\1 = grader.check("\1")', c) for c in code]
    ns: dict = {}
    with notebook_directory(student.parent):
        out = run_cells(code, ns, None)
    assert all(o.status == "ok" for o in out), [o.error for o in out]
    assert ns["result_q1"].passed_all and ns["result_q2"].passed_all
    assert "q1 results: All test cases passed!" in repr(ns["result_q1"])
    assert (student.parent / ".OTTER_LOG").exists()  # otter logs each check next to the notebook


# --------------------------------------------------------------------------- course submit


def test_submit_writes_zip_with_manifest(student, tmp_path):
    result = CliRunner().invoke(submit_cmd, [str(student), "--student", "alice", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    (zpath,) = (tmp_path / "out").glob("*.zip")
    assert re.fullmatch(r"00-toy_alice_\d{8}T\d{6}Z\.zip", zpath.name)
    with zipfile.ZipFile(zpath) as zf:
        assert sorted(zf.namelist()) == [f"{TOY_ID}.ipynb", "manifest.json"]
        manifest = json.loads(zf.read("manifest.json"))
        data = zf.read(f"{TOY_ID}.ipynb")
    import hashlib

    assert manifest["assignment"] == TOY_ID and manifest["student"] == "alice"
    assert manifest["files"] == {f"{TOY_ID}.ipynb": hashlib.sha256(data).hexdigest()}
    assert data == student.read_bytes()
    assert manifest["submitted_at"].endswith("Z") and manifest["tool_version"]
    assert datetime.fromisoformat(manifest["submitted_at"].replace("Z", "+00:00")).tzinfo is not None


def test_submit_refuses_bad_input(student, tmp_path):
    with pytest.raises(SubmitError, match="student id"):
        submit(student, "../evil")
    other = tmp_path / "other.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), other)
    with pytest.raises(SubmitError, match="no assignment id"):
        submit(other, "alice")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{nope")
    with pytest.raises(SubmitError, match="broken.ipynb: not a readable notebook"):
        submit(broken, "alice")


# --------------------------------------------------------------------------- reading submissions


def test_read_submissions_from_mixed_folder(student, tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    nb_bytes = student.read_bytes()
    t1 = datetime(2030, 1, 10, 12, 0, tzinfo=timezone.utc)
    t2 = datetime(2030, 1, 12, 12, 0, tzinfo=timezone.utc)
    first = submit(student, "alice", folder, now=t1)
    latest = submit(student, "alice", folder, now=t2)
    for zipped, t in ((first, t1), (latest, t2)):       # when the collection folder received them
        os.utime(zipped, (t.timestamp(), t.timestamp()))
    submit(student, "bob", folder, now=t1)
    (folder / "carol.ipynb").write_bytes(nb_bytes)  # bare <student>.ipynb
    (folder / "smithdan_late_4242_99_00-toy.ipynb").write_bytes(nb_bytes)  # Canvas
    (folder / "leeeve_5151_100_00-toy.ipynb").write_bytes(nb_bytes)
    (folder / "submission_777").mkdir()  # Gradescope export
    (folder / "submission_777" / "00-toy.ipynb").write_bytes(nb_bytes)
    (folder / "submission_metadata.yml").write_text(
        "submission_777:\n  :submitters:\n  - :name: Fay Wu\n    :sid: 'f123'\n    :email: fay@x.edu\n"
        "  :created_at: 2030-01-11 10:00:00.000000000 -08:00\n")
    (folder / "Gus Ray_31_assignsubmission_file_").mkdir()  # Moodle
    (folder / "Gus Ray_31_assignsubmission_file_" / "hw.ipynb").write_bytes(nb_bytes)
    (folder / "hank").mkdir()  # folder per student, with checkpoint noise
    (folder / "hank" / "work").mkdir()
    (folder / "hank" / "work" / "00-toy.ipynb").write_bytes(nb_bytes)
    (folder / "hank" / ".ipynb_checkpoints").mkdir()
    (folder / "hank" / ".ipynb_checkpoints" / "00-toy-checkpoint.ipynb").write_bytes(nb_bytes)
    # broken ones
    (folder / "ivan.ipynb").write_text("{not a notebook")
    (folder / "junk_upload.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(folder / "00-toy_kim_20300101T000000Z.zip", "w") as zf:  # edited after submitting
        zf.writestr("00-toy.ipynb", nb_bytes.replace(b"...", b"42"))
        zf.writestr("manifest.json", json.dumps({"assignment": TOY_ID, "student": "kim", "notebook": "00-toy.ipynb",
                                                 "files": {"00-toy.ipynb": "0" * 64}}))
    with zipfile.ZipFile(folder / "mystery.zip", "w") as zf:
        zf.writestr("a.ipynb", nb_bytes)
        zf.writestr("b.ipynb", nb_bytes)

    subs = read_submissions(folder, assignment=TOY_ID)
    by_source = {s.source_path.name: s for s in subs}

    assert by_source[first.name].superseded_by == latest
    assert by_source[latest.name].gradable and by_source[latest.name].submitted_at == t2
    assert by_source[latest.name].claimed_at == t2 and by_source[latest.name].received_from == "file time"
    assert isinstance(by_source[latest.name].notebook, bytes) and by_source[latest.name].manifest["student"] == "alice"
    assert by_source["carol.ipynb"].student_id == "carol" and by_source["carol.ipynb"].notebook == folder / "carol.ipynb"
    canvas = by_source["smithdan_late_4242_99_00-toy.ipynb"]
    assert canvas.student_id == "4242" and canvas.lms["late"] and canvas.lms["name"] == "smithdan"
    assert by_source["leeeve_5151_100_00-toy.ipynb"].student_id == "5151"
    gs = next(s for s in subs if s.lms.get("source") == "gradescope")
    assert gs.student_id == "f123" and gs.submitted_at == datetime(2030, 1, 11, 18, 0, tzinfo=timezone.utc)
    assert next(s for s in subs if s.lms.get("source") == "moodle").student_id == "31"
    hank = next(s for s in subs if s.student_id == "hank")
    assert hank.gradable and hank.notebook.name == "00-toy.ipynb"

    errors = {s.source_path.name: s.error for s in subs if s.error}
    assert set(errors) == {"ivan.ipynb", "junk_upload.zip", "00-toy_kim_20300101T000000Z.zip", "mystery.zip"}
    assert errors["ivan.ipynb"].startswith(str(folder / "ivan.ipynb")) and "not a readable notebook" in errors["ivan.ipynb"]
    assert "not a valid zip" in errors["junk_upload.zip"]
    assert "does not match the checksum" in errors["00-toy_kim_20300101T000000Z.zip"]
    assert "several notebooks" in errors["mystery.zip"]

    gradable = sorted(s.student_id for s in subs if s.gradable)
    assert gradable == ["31", "4242", "5151", "alice", "bob", "carol", "f123", "hank"]


def test_read_submissions_rejects_other_assignments(student, tmp_path):
    nb = nbformat.read(student, as_version=4)
    nb.metadata["course"]["assignment"] = "01-prompting"
    other = tmp_path / "other" / f"{TOY_ID}.ipynb"
    other.parent.mkdir()
    nbformat.write(nb, other)
    folder = tmp_path / "subs"
    submit(other, "zoe", folder)
    (sub,) = read_submissions(folder, assignment=TOY_ID)
    assert "submission for '01-prompting', not '00-toy'" in sub.error


def test_failure_line_pairs_each_failing_line_with_its_own_error():
    from autograder.student.check import _failure_line

    report = ("*" * 70 + "\nLine 2, in q4 0\nFailed example:\n    assert a(), 'first'\nException raised:\n"
              "    Traceback (most recent call last):\n    AssertionError: first\n" + "*" * 70 +
              "\nLine 3, in q4 0\nFailed example:\n    assert b(), 'second'\nException raised:\n"
              "    AssertionError: second\n")
    assert _failure_line(report) == "`assert a(), 'first'` raised AssertionError: first"
