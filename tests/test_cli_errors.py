"""A user's mistake costs one line from `course`, naming what to fix, and exit code 1: never a traceback.

Each case runs the real command in its own process (what a TA sees in a terminal), except the
unreadable submissions folder: the tests run as root, for whom every folder is readable, so
that case makes the folder's listing fail in-process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.gradebook import Gradebook
from autograder.grading.results import grading_result
from toy_notebooks import TOY_ID, copy_toy
from toy_submissions import release_toy

REPO = Path(__file__).resolve().parent.parent


def course(*args: str, cwd: Path, **env_vars: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), **env_vars)
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def assert_one_line(done: subprocess.CompletedProcess, *words: str) -> None:
    out = (done.stdout + done.stderr).strip()
    assert done.returncode == 1, out
    assert "Traceback" not in out, out
    assert len(out.splitlines()) == 1, out
    assert out.startswith("Error: "), out
    for w in words:
        assert w in out, out


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    release_toy(out)
    return out


def test_missing_assignment_id(tmp_path, dist):
    assert_one_line(course("release", "no-such-lab", "--assignments", str(tmp_path), "--out", str(tmp_path / "d"),
                           cwd=tmp_path), "no-such-lab", "no such assignment")
    (tmp_path / "subs").mkdir()
    assert_one_line(course("grade", "no-such-lab", str(tmp_path / "subs"), "--dist", str(dist), "--backend", "local",
                           cwd=tmp_path), "no-such-lab", "course release")


def test_malformed_master_notebook(tmp_path):
    root = copy_toy(tmp_path)
    (root / TOY_ID / f"{TOY_ID}.ipynb").write_text('{"cells": [', encoding="utf-8")
    done = course("release", TOY_ID, "--assignments", str(root), "--out", str(tmp_path / "d"),
                  cwd=tmp_path)
    assert_one_line(done, f"{TOY_ID}.ipynb", "nothing was written")
    assert not (tmp_path / "d").exists()


def test_override_out_of_range(tmp_path, dist):
    questions = json.loads((dist / TOY_ID / "autograder" / "questions.json").read_text())["questions"]
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    Gradebook(url).record(grading_result(TOY_ID, questions, "ada", [], exit_reason="ok", exit_detail=""))
    q = questions[0]
    done = course("override", TOY_ID, "ada", q["name"], str(q["points"] + 1), "--reason", "regrade request",
                  "--db", url, cwd=tmp_path)
    assert_one_line(done, q["name"], f"worth 0 to {q['points']:g} points")
    assert Gradebook(url).overrides(TOY_ID) == []


def test_unreadable_submissions_folder(tmp_path, dist, monkeypatch):
    from autograder.cli import course as course_group

    subs = tmp_path / "subs"
    subs.mkdir()

    def refuse(self, pattern):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "rglob", refuse)
    result = CliRunner().invoke(course_group, ["grade", TOY_ID, str(subs), "--dist", str(dist), "--backend", "local",
                                               "--db", f"sqlite:///{tmp_path / 'gb.db'}",
                                               "--results", str(tmp_path / "results")])
    out = result.output.strip()
    assert result.exit_code == 1 and not isinstance(result.exception, PermissionError), out
    assert out.splitlines()[-1] == (f"Error: {subs}: cannot read the submissions folder (Permission denied); "
                                    "make it readable by the grader and grade again"), out


def test_missing_zoo_model(tmp_path, dist):
    released = tmp_path / "dist"
    shutil.copytree(dist, released)
    toml = released / TOY_ID / "autograder" / "assignment.toml"
    toml.write_text(toml.read_text().replace("models = []", 'models = ["tiny-gpt"]'))
    (tmp_path / "subs").mkdir()
    shutil.copy(released / TOY_ID / "student" / f"{TOY_ID}.ipynb", tmp_path / "subs" / "ada.ipynb")
    done = course("grade", TOY_ID, str(tmp_path / "subs"), "--dist", str(released), "--backend", "local",
                  "--db", f"sqlite:///{tmp_path / 'gb.db'}", "--results", str(tmp_path / "results"), cwd=tmp_path,
                  COURSE_HOME=str(tmp_path / "no-zoo-here"))
    out = (done.stdout + done.stderr).strip().splitlines()
    # the local backend's one warning line, then the error
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert out[-1].startswith("Error: ") and "tiny-gpt" in out[-1] and "course models build" in out[-1], out
    assert all(line.startswith("WARNING: the local backend") for line in out[:-1]), out


def test_an_unknown_model_is_an_assignment_mistake(tmp_path):
    root = copy_toy(tmp_path)
    toml = root / TOY_ID / "assignment.toml"
    toml.write_text(toml.read_text().replace("models = []", 'models = ["tiny-nonexistent"]'))
    done = course("release", TOY_ID, "--assignments", str(root), "--out", str(tmp_path / "d"), cwd=tmp_path)
    assert_one_line(done, "requires.models", "tiny-nonexistent", "tiny-flan")


def test_a_bug_is_not_dressed_up_as_a_user_error():
    """Only CourseError becomes one line: an unexpected exception keeps its traceback for the bug report."""
    import click

    from autograder.cli.base import CourseCommand

    @click.command(cls=CourseCommand)
    def broken():
        raise KeyError("a bug")

    result = CliRunner().invoke(broken, [])
    assert isinstance(result.exception, KeyError)
