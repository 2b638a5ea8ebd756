"""`course validate --probes` finds a hidden test that trusts a notebook's variable: shown on a
fixture assignment whose hidden test checks a value the notebook computed, not the function."""

from __future__ import annotations

import json

import pytest

from autograder.authoring.config import AssignmentFormatError, load_config
from autograder.isolation.local import LocalBackend
from autograder.release.pipeline import release
from autograder.release.validate import validate
from toy_notebooks import TOY_ID, copy_toy

TRUSTING_TEST = '''""" # BEGIN TEST CONFIG
hidden: true
""" # END TEST CONFIG
assert spread == 2.0
'''


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def trusting_toy(tmp_path, trusts: str = "") -> tuple:
    """The toy, whose q1 solution also leaves ``spread`` in a variable and whose third q1 test
    (hidden) checks that variable instead of calling ``mean_abs``."""
    root = copy_toy(tmp_path)
    master = root / TOY_ID / f"{TOY_ID}.ipynb"
    nb = json.loads(master.read_text())
    cells = nb["cells"]
    solution = next(i for i, c in enumerate(cells) if "def mean_abs" in "".join(c["source"]))
    cells[solution]["source"] = "".join(cells[solution]["source"]) + "\n\nspread = mean_abs([-3.0, 1.0, 2.0])\n"
    hidden = next(i for i, c in enumerate(cells) if "zebra-7" in "".join(c["source"]))
    cells.insert(hidden + 1, _cell("code", TRUSTING_TEST))
    master.write_text(json.dumps(nb))
    if trusts:
        toml = root / TOY_ID / "assignment.toml"
        toml.write_text(toml.read_text() + f"\n[validate]\ntrusts = {trusts}\n")
    out = release(root / TOY_ID, tmp_path / "dist")
    return root / TOY_ID, out.folder


def probe(checks):
    return next(c for c in checks if c.kind == "probe")


def test_a_hidden_test_that_reads_a_variable_fails_validation(tmp_path):
    folder, dist = trusting_toy(tmp_path)
    checks = validate(folder, dist, LocalBackend(), workers=2, log=lambda *_: None, quick=True, probes=True)
    by_kind = {c.kind: c for c in checks}
    assert by_kind["template"].ok, "the template alone earns nothing: only the probe sees the trust"
    check = probe(checks)
    assert not check.ok
    assert check.detail.startswith("1 hidden tests read notebook values")
    assert "q1 - 3 (spread)" in check.detail and check.lost == ["q1 - 3"]


def test_a_declared_exception_is_printed_not_failed(tmp_path):
    folder, dist = trusting_toy(tmp_path, trusts='{ "q1 - 3" = "the fixture says so" }')
    check = probe(validate(folder, dist, LocalBackend(), workers=2, log=lambda *_: None, quick=True, probes=True))
    assert check.ok and "trusted by assignment.toml: q1 - 3 (the fixture says so)" in check.detail


def test_tests_that_call_the_students_functions_pass_the_probe(tmp_path):
    root = copy_toy(tmp_path)
    out = release(root / TOY_ID, tmp_path / "dist")
    check = probe(validate(root / TOY_ID, out.folder, LocalBackend(), workers=2, log=lambda *_: None, quick=True,
                           probes=True))
    assert check.ok and check.detail.startswith("0 hidden tests read notebook values"), check.detail


def test_an_exception_needs_a_reason(tmp_path):
    root = copy_toy(tmp_path)
    toml = root / TOY_ID / "assignment.toml"
    toml.write_text(toml.read_text() + '\n[validate]\ntrusts = { "q1 - 2" = " " }\n')
    with pytest.raises(AssignmentFormatError, match="validate.trusts"):
        load_config(toml)
