"""The Gradescope target's parts, without containers (``tests/test_gradescope.py`` plays the whole
zip in them): the zip's contents, ``course gradescope-run`` on the toy with the ``user`` backend,
the results mapping, and the checks that keep the hidden tests out of the student's reach."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import course
from autograder.grading.submissions import one_submission
from autograder.isolation.backend import BackendError
from autograder.isolation.user import UserBackend, readable_by_others
from autograder.release.pipeline import release
from autograder.reports.gradescope_results import gradescope_results
from toy_notebooks import TOY_DIR, TOY_ID
from toy_submissions import MUTANT_SCORES, SECRET_WORDS, mutant, solution

pytestmark = pytest.mark.xdist_group("gradescope-parts")


@pytest.fixture(scope="module")
def toy_release(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("gs-toy") / "dist"
    os.chmod(dist.parent, 0o700)      # as setup.sh leaves /autograder/source: the user backend checks it
    return release(TOY_DIR, dist, gradescope=True).folder


def test_zip_carries_what_setup_installs(toy_release):
    with zipfile.ZipFile(toy_release / "gradescope" / f"{TOY_ID}-gradescope.zip") as zf:
        names = set(zf.namelist())
        info = {i.filename: i for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
        reqs = zf.read("requirements.txt").decode().split()
        meta = json.loads(zf.read("gradescope.json"))
    assert {"setup.sh", "run_autograder", "requirements.txt", "bundle/tests.json", "bundle/reference.json",
            "bundle/solution.ipynb", meta["zoo_pack"]["file"]} <= names
    assert [n for n in names if n.endswith(".whl")] == ["genai_course-0.1.0-py3-none-any.whl"]
    for script in ("setup.sh", "run_autograder"):
        assert info[script].external_attr >> 16 & 0o111, f"{script} must be executable"
    # the grader's stack, pinned exactly; the staff-only libraries stay out
    assert "torch==2.13.0" in reqs and "transformers==5.24.0" in reqs and all("==" in r for r in reqs)
    assert not any(r.split("==")[0] in ("otter-grader", "nbgrader", "copydetect", "dask") for r in reqs)
    assert f"--sha256 {meta['zoo_pack']['sha256']}" in setup and "chmod 700 /autograder/source" in setup
    assert "download.pytorch.org/whl/cpu" in setup
    assert meta["hidden_tests"] == "after_published"


def test_gradescope_run_grades_one_upload_as_nobody(toy_release, tmp_path):
    bundle = toy_release / "autograder"
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"users": [{"sid": "s42", "email": "s42@uni.example"}]}))

    def run(files: dict[str, bytes]) -> dict:
        sub = tmp_path / f"sub{len(list(tmp_path.iterdir()))}"
        sub.mkdir()
        for name, data in files.items():
            (sub / name).write_bytes(data)
        out = sub.parent / f"{sub.name}-results.json"
        done = CliRunner().invoke(course, ["gradescope-run", str(bundle), str(sub), str(out), "--metadata", str(meta)])
        assert done.exit_code == 0, done.output
        return json.loads(out.read_text())

    full = run({f"{TOY_ID}.ipynb": solution(toy_release)})
    assert full["score"] == 5.0
    wrong = run({f"{TOY_ID}.ipynb": mutant(toy_release, "signed_mean"), "notes.txt": b"scratch"})
    assert wrong["score"] == MUTANT_SCORES["signed_mean"]
    failed_hidden = [r for r in wrong["tests"] if r["name"] == "q1: q1 - 2"]
    assert failed_hidden[0]["output"] == "mean_abs is wrong when signs are mixed (zebra-7)"
    assert failed_hidden[0]["visibility"] == "after_published"
    assert not any(w in json.dumps(wrong) for w in SECRET_WORDS)
    # an upload with two notebooks, or none, scores zero with the reason in the output
    two = run({"a.ipynb": solution(toy_release), "b.ipynb": solution(toy_release)})
    assert two["score"] == 0 and "several files to grade (a.ipynb, b.ipynb)" in two["output"]
    none = run({"answers.pdf": b"%PDF"})
    assert none["score"] == 0 and "no notebook (.ipynb) or submission zip" in none["output"]


def test_a_grader_that_cannot_start_still_writes_a_zero_row(toy_release, tmp_path):
    """Gradescope shows the student nothing without results.json: every failure of ours writes one."""
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / f"{TOY_ID}.ipynb").write_bytes(solution(toy_release))

    def run(bundle: Path) -> tuple[int, str, dict]:
        out = tmp_path / f"{bundle.name}-results.json"
        done = CliRunner().invoke(course, ["gradescope-run", str(bundle), str(sub), str(out),
                                           "--metadata", str(tmp_path / "none.json")])
        return done.exit_code, done.output, json.loads(out.read_text())

    # the zoo changed under the release (a rebuilt image): refused before grading
    moved = tmp_path / "other-zoo"
    shutil.copytree(toy_release / "autograder", moved)
    zoo_json = json.loads((moved / "zoo.json").read_text())
    zoo_json["tiny-gpt"] = "0" * 64
    (moved / "zoo.json").write_text(json.dumps(zoo_json))
    code, output, res = run(moved)
    assert code == 1 and "the autograder cannot start" in output and "another zoo" in output
    assert res["score"] == 0 and res["tests"] == [] and "not your notebook" in res["output"]
    # hidden tests others could read: the user backend refuses, and the row says it is ours
    exposed = Path(tempfile.mkdtemp(prefix="exposed-bundle-", dir="/tmp"))
    try:
        shutil.copytree(toy_release / "autograder", exposed, dirs_exist_ok=True)
        os.chmod(exposed, 0o755)
        code, output, res = run(exposed)
    finally:
        shutil.rmtree(exposed)
    assert code == 1 and "readable by the submission's user" in output
    assert res["score"] == 0 and "not your notebook" in res["output"]
    assert res["tests"] and all(r.get("score", 0) == 0 for r in res["tests"]), res      # the total stays right


def test_user_backend_refuses_hidden_tests_others_can_read(toy_release):
    exposed = Path(tempfile.mkdtemp(prefix="exposed-bundle-", dir="/tmp"))     # pytest's own folders are private
    try:
        os.chmod(exposed, 0o755)
        assert readable_by_others(exposed)
        with pytest.raises(BackendError, match=r"readable by the submission's user; make it private \(chmod 700"):
            UserBackend().prepare(exposed)
        os.chmod(exposed, 0o700)
        assert not readable_by_others(exposed)
        UserBackend().prepare(exposed)
    finally:
        shutil.rmtree(exposed)
    assert not readable_by_others(toy_release / "autograder")


def _result(tests: list[dict], questions: dict) -> dict:
    return {"assignment": "a", "student": "s", "score": 1.0, "max_score": 4.0, "exit_reason": "ok", "exit_detail": "",
            "questions": questions, "cells": [], "runtime_s": 3.2, "artifacts": None}


def test_results_show_only_a_hidden_tests_failure_message():
    hidden = {"name": "q1 - 2", "question": "q1", "hidden": True, "points": 0.0, "max_points": 2.0,
              "status": "failed", "message": "assert mean_abs([-1, 1]) == 1.0, expected 1.0"}
    public = {"name": "q1 - 1", "question": "q1", "hidden": False, "points": 1.0, "max_points": 1.0,
              "status": "passed", "message": ""}
    aon = [{"name": f"q2 - {i}", "question": "q2", "hidden": False, "points": p, "max_points": 0.5,
            "status": s, "message": ""} for i, (p, s) in enumerate([(0.5, "passed"), (0.0, "failed")], start=1)]
    questions = {"q1": {"points": 1.0, "max_points": 3.0, "manual": False, "tests": [public, hidden]},
                 "q2": {"points": 0.0, "max_points": 1.0, "manual": False, "tests": aon},
                 "q3": {"points": 0.0, "max_points": 2.0, "manual": True, "tests": []}}
    specs = {"q1 - 2": {"name": "q1 - 2", "code": "assert mean_abs([-1, 1]) == 1.0", "failure_message": "signs"}}
    out = gradescope_results(_result([], questions), specs, "hidden")
    rows = {r["name"]: r for r in out["tests"]}
    assert rows["q1: q1 - 2"]["output"] == "signs" and rows["q1: q1 - 2"]["visibility"] == "hidden"
    assert "mean_abs([-1, 1])" not in json.dumps(out)
    assert rows["q1: q1 - 1"]["visibility"] == "visible" and rows["q1: q1 - 1"]["status"] == "passed"
    # an all-or-nothing question with a failed test: its passed row earns nothing either
    assert rows["q2: q2 - 1"]["score"] == 0.0 and rows["q2: q2 - 1"]["status"] == "passed"
    assert "score" not in rows["q3: graded by staff"] and rows["q3: graded by staff"]["max_score"] == 2.0
    assert out["score"] == 1.0 and out["output_format"] == "md" and "| q3 | graded by staff |" in out["output"]


def test_one_submission_prefers_the_assignments_notebook(tmp_path):
    (tmp_path / "scratch.ipynb").write_text("{}")
    (tmp_path / f"{TOY_ID}.ipynb").write_text("not json")
    sub = one_submission(tmp_path, "s1", TOY_ID)
    assert sub.source_path.name == f"{TOY_ID}.ipynb" and "not a readable notebook" in sub.error
    (tmp_path / f"{TOY_ID}.ipynb").unlink()
    assert one_submission(tmp_path, "s1", TOY_ID).source_path.name == "scratch.ipynb"

