"""Probes for hidden tests that award points without the work (``course validate --probes``).

*Forged results.* A value a notebook left in a variable (a score, a list of answers, a table)
is the student's claim, not evidence. At release, while the solution is graded to record the
reference, every name each hidden test reads from the notebook is noted, with the value the
solution left there when it is plain data (``notebook_reads.json``, grader-only). The probe
grades the untouched student notebook plus one cell assigning every such name that value:
a hidden test that passes on it trusts the variable, and fails validation by name, unless the
assignment declares why that test may (``[validate] trusts`` in ``assignment.toml``).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from autograder.isolation import wire
from autograder.isolation.student_process import RemoteRef

READS = "notebook_reads.json"
PROBE_CELL = '''# course validate: the forged-results probe. Every value the hidden tests read from the notebook,
# as the solution's run left it; no function of the notebook is defined.
import json as _probe_json
from autograder.isolation import wire as _probe_wire
for _probe_name, _probe_value in _probe_json.loads({payload!r}).items():
    globals()[_probe_name] = _probe_wire.decode(_probe_value)
'''


def save_reads(folder: Path, reads: dict[str, dict], tests: list[dict]) -> Path:
    """Keep, for the hidden tests, the names each read and the plain-data values among them."""
    hidden = {t["name"] for t in tests if t.get("hidden")}
    per_test: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for test, names in reads.items():
        if test not in hidden:
            continue
        for name, value in names.items():
            if isinstance(value, RemoteRef):
                continue                        # a function or an object: not forgeable by assignment
            try:
                values[name] = wire.encode(value)
            except TypeError:                   # a container holding objects
                continue
            per_test.setdefault(test, []).append(name)
    path = Path(folder) / READS
    path.write_text(json.dumps({"version": 1, "tests": per_test, "values": values}, sort_keys=True))
    return path


def load_reads(folder: Path) -> dict | None:
    path = Path(folder) / READS
    return json.loads(path.read_text()) if path.exists() else None


def forged_notebook(template: bytes, values: dict) -> bytes:
    nb = nbformat.reads(template.decode("utf-8"), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_CELL.format(payload=json.dumps(values))))
    return nbformat.writes(nb).encode()


def trusting_tests(result: dict, reads: dict) -> list[tuple[str, list[str]]]:
    """(test, names it read) for every hidden test that passed on forged values."""
    passed = {t["name"] for q in result["questions"].values() for t in q["tests"] if t["status"] == "passed"}
    return [(test, names) for test, names in sorted(reads["tests"].items()) if test in passed]
