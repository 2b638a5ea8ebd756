"""The same toy submissions graded on every backend (local, sandbox, docker) get the same results.

Each backend runs the same runner with the same interpreter and packages, so a submission's
per-test outcome must not depend on where it ran. A backend that is not available FAILS here
with its reason (CI installs bubblewrap and docker); it is never skipped.
"""

from __future__ import annotations

import json

import pytest

from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.grading.results import without_staff_detail
from toy_submissions import MUTANT_SCORES, MUTANTS, backend_or_fail, mutant, outcomes, release_toy, solution, template

BACKENDS = [
    pytest.param("local", id="local"),
    pytest.param("sandbox", id="sandbox", marks=pytest.mark.sandbox),
    pytest.param("docker", id="docker", marks=pytest.mark.docker),
]
EXPECTED = {"solution": 5.0, "template": 0.0, **MUTANT_SCORES}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    return release_toy(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def notebooks(dist) -> dict[str, bytes]:
    return {"solution": solution(dist), "template": template(dist), **{m: mutant(dist, m) for m in MUTANTS}}


@pytest.fixture(scope="module")
def graded(dist, notebooks):
    """backend name -> {notebook name -> result}, graded once per backend and module."""
    bundle = Bundle.load(dist / "autograder")
    cache: dict[str, dict[str, dict]] = {}

    def get(name: str) -> dict[str, dict]:
        if name not in cache:
            backend = backend_or_fail(name)
            backend.prepare(bundle.folder)
            cache[name] = {nb: grade_notebook(bundle, data, backend, student=nb) for nb, data in notebooks.items()}
        return cache[name]
    return get


@pytest.mark.parametrize("backend", BACKENDS)
def test_scores_on_backend(graded, backend):
    results = graded(backend)
    scores = {name: r["score"] for name, r in results.items()}
    assert scores == EXPECTED
    for name, r in results.items():
        assert r["backend"] == backend
        assert r["exit_reason"] == "ok", (name, r["exit_detail"])
        assert r["restarts"] == 0
        assert r["max_score"] == 5.0
        # q3 is manual: never scored automatically
        assert r["questions"]["q3"] == {"points": 0.0, "max_points": 1, "manual": True, "tests": []}
        assert all(c["status"] == "ok" for c in r["cells"]), (name, r["cells"])
        # peak memory is measured on every backend (docker: reported by the runner itself)
        assert r["peak_memory_mb"] is not None and 5 < r["peak_memory_mb"] < 1024, (name, r["peak_memory_mb"])
    # what the q1 hidden test shows through `feedback` (the template's mean_abs raises before it)
    assert results["solution"]["artifacts"]["metrics"] == [
        {"name": "mean_abs([-3, 1, 2])", "student": 2.0, "reference": 2.0, "threshold": None}]
    assert results["template"]["artifacts"] is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_mutants_lose_their_question(graded, backend):
    r = graded(backend)
    assert outcomes(r["solution"]) == {"q1 - 1": ("passed", 1.0), "q1 - 2": ("passed", 1.0),
                                       "q2 - 1": ("passed", 1.0), "q2 - 2": ("passed", 2.0)}
    assert outcomes(r["template"]) == {"q1 - 1": ("failed", 0.0), "q1 - 2": ("error", 0.0),
                                       "q2 - 1": ("error", 0.0), "q2 - 2": ("error", 0.0)}
    assert outcomes(r["signed_mean"])["q1 - 1"] == ("failed", 0.0)
    assert outcomes(r["no_empty_case"])["q1 - 2"] == ("failed", 0.0)
    assert outcomes(r["naive_softmax"])["q2 - 2"] == ("failed", 0.0)
    raises = r["softmax_raises"]["questions"]["q2"]["tests"]
    assert [t["status"] for t in raises] == ["error", "error"]
    # a public test shows the student's own error; a hidden test only its generic message
    assert "ValueError" in raises[0]["message"] and "not done yet" in raises[0]["message"]
    assert raises[1]["message"] == "A hidden test failed."
    # hidden test texts never reach a result (they hold expected values and edge cases)
    hidden_q1 = r["signed_mean"]["questions"]["q1"]["tests"][1]
    assert hidden_q1["message"] == "mean_abs is wrong when signs are mixed (zebra-7)"  # its failure_message
    # staff keep what really failed, in memory (validate and release print it)...
    assert "Not equal to tolerance" in hidden_q1["staff_detail"]
    assert "staff_detail" not in r["signed_mean"]["questions"]["q1"]["tests"][0]   # public: its message says it
    # ...but a stored result never holds it (test_hostile checks the stored files of a class)
    stored = without_staff_detail(r["signed_mean"])
    assert "Not equal to tolerance" not in json.dumps(stored) and stored["score"] == r["signed_mean"]["score"]


def _comparable(result: dict) -> dict:
    """Everything about a result that must not depend on the backend."""
    tests = {t["name"]: (t["status"], t["points"], t["message"]) for q in result["questions"].values()
             for t in q["tests"]}
    cells = [(c["index"], c["status"], c["stdout"], c["error"]) for c in result["cells"]]
    return {"score": result["score"], "exit": (result["exit_reason"], result["exit_detail"]),
            "tests": tests, "cells": cells, "sha": result["notebook_sha256"]}


@pytest.mark.sandbox
@pytest.mark.docker
def test_identical_across_backends(graded):
    local, sandbox, docker = graded("local"), graded("sandbox"), graded("docker")
    for name in EXPECTED:
        assert _comparable(sandbox[name]) == _comparable(local[name]), name
        assert _comparable(docker[name]) == _comparable(local[name]), name


def test_unknown_backend_is_refused():
    from autograder.isolation.registry import get_backend

    with pytest.raises(ValueError, match="unknown backend"):
        get_backend("chroot")
