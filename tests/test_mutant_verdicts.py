"""How ``course validate`` judges a mutant: ``loses:`` must all be lost, ``may lose:`` may be,
nothing else may be; and the table says which declared cascade happened."""

from __future__ import annotations

import pytest

from autograder.authoring.mutants import Mutant, MutantError
from autograder.release.validate import judge_mutant

QUESTIONS = {"q1", "q2", "q3", "q4"}


def _load(tmp_path, doc: str) -> Mutant:
    path = tmp_path / "q1_mistake.py"
    path.write_text(f'"""A mistake in q1.\n\n{doc}\n"""\ndef chunk(x):\n    return x\n')
    return Mutant.load(path, QUESTIONS)


def _result(lost: set[str], why: str = "wrong answer") -> dict:
    def tests(q):
        return [{"name": f"{q} - 1", "status": "failed" if q in lost else "passed", "message": why if q in lost else ""}]

    return {"score": 0.0, "exit_reason": "ok", "exit_detail": "",
            "questions": {q: {"manual": False, "points": 0.0 if q in lost else 1.0, "max_points": 1.0, "tests": tests(q)}
                          for q in sorted(QUESTIONS)}}


def test_may_lose_is_parsed_apart_from_loses(tmp_path):
    m = _load(tmp_path, "loses: q1\nmay lose: q4, q3")
    assert (m.loses, m.may_lose) == ({"q1"}, {"q3", "q4"})
    assert _load(tmp_path, "loses: q1, q2").may_lose == set()


@pytest.mark.parametrize("doc, message", [
    ("loses: q1\nmay lose: q9", "'may lose:' names q9"),
    ("loses: q1\nmay lose: q1", "under both"),
])
def test_bad_declarations_name_the_file(tmp_path, doc, message):
    with pytest.raises(MutantError, match=message) as e:
        _load(tmp_path, doc)
    assert "q1_mistake.py" in str(e.value)


def test_a_declared_cascade_passes_either_way_and_says_which(tmp_path):
    m = _load(tmp_path, "loses: q1\nmay lose: q4")
    without = judge_mutant(m, _result({"q1"}))
    assert without.ok and "may lose q4: it did not" in without.detail
    cascaded = judge_mutant(m, _result({"q1", "q4"}))
    assert cascaded.ok and "it did, q4" in cascaded.detail


def test_an_undeclared_loss_or_a_missed_question_fails(tmp_path):
    m = _load(tmp_path, "loses: q1\nmay lose: q4")
    extra = judge_mutant(m, _result({"q1", "q2"}))
    assert not extra.ok and "it also loses q2" in extra.detail
    missed = judge_mutant(m, _result({"q4"}))
    assert not missed.ok and "no test of q1 catches it" in missed.detail
    strict = _load(tmp_path, "loses: q1")
    assert not judge_mutant(strict, _result({"q1", "q4"})).ok


def test_an_undeclared_loss_says_which_test_failed_and_why(tmp_path):
    """A cascade nobody declared is diagnosed from the table alone (CI prints nothing else)."""
    m = _load(tmp_path, "loses: q1")
    why = "FileNotFoundError: isoflop_runs.json (cell 13 ran longer than 300 s)"
    result = _result({"q1", "q3"}, why)
    result["cells"] = [{"index": 12, "status": "ok", "seconds": 0.5}, {"index": 13, "status": "timeout", "seconds": 300.2}]
    verdict = judge_mutant(m, result)
    assert not verdict.ok and f"it also loses q3 (q3 - 1: failed: {why})" in verdict.detail
    assert verdict.detail.endswith("[cell 13 timed out after 300 s]")


def _run(statuses: dict[str, str]) -> dict:
    return {"questions": {"q1": {"tests": [{"name": n, "status": s, "points": 1.0 if s == "passed" else 0.0}
                                           for n, s in statuses.items()]}}}


def test_reruns_must_agree_with_each_other_and_with_the_recording():
    """`--quick` runs the solution once and holds it to the release's recording run."""
    from autograder.release.record_reference import outcomes
    from autograder.release.validate import judge_reruns

    steady = _run({"q1 - 1": "passed", "q1 - 2": "passed"})
    flaky = _run({"q1 - 1": "passed", "q1 - 2": "failed"})
    assert judge_reruns([steady, steady, steady]).ok
    differ = judge_reruns([steady, flaky, steady])
    assert not differ.ok and differ.detail.endswith("differ between runs: q1 - 2")
    recorded = {"tests": outcomes(steady)}
    agreed = judge_reruns([steady], recorded)
    assert agreed.ok and agreed.name == "2 identical runs" and "recording run" in agreed.detail
    assert not judge_reruns([flaky], recorded).ok
