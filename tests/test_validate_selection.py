"""``validate --quick``: the mutants it keeps still target every question, with none wasted."""

from __future__ import annotations

from pathlib import Path

from autograder.authoring.mutants import Mutant, one_per_question

REPO = Path(__file__).resolve().parent.parent


def _m(name: str, loses: set[str]) -> Mutant:
    return Mutant(name, Path(f"{name}.py"), name, loses, "x = 1", {"x"})


def test_one_per_question_covers_every_targeted_question():
    mutants = [_m("a", {"q1"}), _m("b", {"q1"}), _m("c", {"q1", "q2"}), _m("d", {"q2"}), _m("e", {"q3"})]
    assert [m.name for m in one_per_question(mutants)] == ["a", "c", "e"]


def test_every_lab_keeps_full_coverage_when_quick():
    for folder in sorted((REPO / "assignments").iterdir()):
        paths = sorted((folder / "mutants").glob("*.py"))
        if not paths:
            continue
        questions = {f"q{i}" for i in range(1, 20)} | {f"q{i}b" for i in range(1, 20)}
        mutants = [Mutant.load(p, questions) for p in paths]
        quick = one_per_question(mutants)
        assert set().union(*(m.loses for m in quick)) == set().union(*(m.loses for m in mutants)), folder.name
        assert len(quick) <= len(mutants)
