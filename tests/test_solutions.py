"""solutions/ holds each lab's reference solution as a module, generated from its master notebook,
and never drifts from it: a test fails when a master notebook's solution and its module differ."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from autograder.release.solution_modules import module_name, sync
from toy_notebooks import TOY_ID, copy_toy

REPO = Path(__file__).resolve().parent.parent
LABS = ["00-warmup", "01-prompting", "02-fine-tuning", "03-peft", "04-rlhf", "05-rag", "06-pretraining", "07-evaluation", "08-efficient-inference"]


def test_every_lab_has_its_solution_module():
    for lab in LABS:
        assert (REPO / "solutions" / f"{module_name(lab)}.py").is_file(), f"no solutions/ module for {lab}"


def test_solution_modules_match_the_master_notebooks():
    stale = sync(REPO / "assignments", REPO / "solutions", REPO, check=True)
    assert stale == [], f"out of date (run `course solutions`): {[str(p) for p in stale]}"


def test_a_change_on_either_side_is_caught(tmp_path):
    root = copy_toy(tmp_path)
    out = tmp_path / "solutions"
    assert [p.name for p in sync(root, out, tmp_path)] == [f"{module_name(TOY_ID)}.py"]   # written
    assert sync(root, out, tmp_path, check=True) == []

    master = root / TOY_ID / f"{TOY_ID}.ipynb"
    nb = json.loads(master.read_text())
    cell = next(c for c in nb["cells"] if "shifted = x - x.max()  # SOLUTION" in "".join(c["source"]))
    cell["source"] = "".join(cell["source"]).replace("x - x.max()", "x - x.min()")
    master.write_text(json.dumps(nb))
    assert sync(root, out, tmp_path, check=True) == [out / f"{module_name(TOY_ID)}.py"]

    sync(root, out, tmp_path)
    module = out / f"{module_name(TOY_ID)}.py"
    module.write_text(module.read_text().replace("x - x.min()", "x - x.max()"))    # a hand edit
    assert sync(root, out, tmp_path, check=True) == [module]


def test_a_solution_module_is_importable_and_testable(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(REPO))
    toy = importlib.import_module(f"solutions.{module_name(TOY_ID)}")
    try:
        assert toy.mean_abs([-3, 1]) == 2.0 and toy.mean_abs([]) == 0.0
        assert abs(toy.softmax([1000.0, 1000.0]).sum() - 1.0) < 1e-12
    finally:
        sys.modules.pop(f"solutions.{module_name(TOY_ID)}", None)
