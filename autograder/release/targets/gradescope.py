"""``course release --gradescope``: otter's own Gradescope autograder zip.

The master notebook already is an otter master, so this is a thin wrapper: it adds what
otter needs to its ASSIGNMENT CONFIG cell (``name``, ``generate``, test files) and runs
``otter assign`` in a subprocess (otter's run also checks that the solution passes every
test). Hidden tests that use ``ref`` cannot run there (otter's zip carries no reference
snapshot), so such assignments are refused with the list of those tests.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from autograder.authoring.master import ASSIGNMENT_CONFIG_RE, Assignment
from autograder.release.errors import ReleaseError

OTTER_TIMEOUT_S = 900
END_TEST_CONFIG = '""" # END TEST CONFIG'
FEEDBACK_USE = re.compile(r"\bfeedback\s*\.")
NO_FEEDBACK = ("feedback = type('Feedback', (), {m: (lambda *a, **k: None) "
               "for m in ('sample', 'metric', 'curve')})()")


class GradescopeExportError(ReleaseError):
    pass


def otter_master(assignment: Assignment) -> dict:
    """The master notebook with an ASSIGNMENT CONFIG that makes ``otter assign`` build a zip."""
    nb = json.loads(assignment.notebook_path.read_text(encoding="utf-8"))
    config = copy.deepcopy(assignment.otter_config)
    config.setdefault("name", assignment.id)
    config.setdefault("generate", True)
    tests = config.setdefault("tests", {})
    if isinstance(tests, dict):
        tests.setdefault("files", True)
    for c in nb["cells"]:
        # otter runs tests in the student's namespace, where `course grade`'s `feedback` does
        # not exist: give those tests one that shows nothing
        text = "".join(c.get("source", ""))
        if c.get("cell_type") == "code" and END_TEST_CONFIG in text and FEEDBACK_USE.search(text):
            head, _, body = text.partition(END_TEST_CONFIG)
            c["source"] = head + END_TEST_CONFIG + "\n" + NO_FEEDBACK + body
    source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)
    cell = {"cell_type": "raw", "metadata": {}, "source": source, "id": "course-assignment-config"}
    cells = [c for c in nb["cells"] if not (
        c.get("cell_type") == "raw"
        and ASSIGNMENT_CONFIG_RE.match("".join(c.get("source", "")).split("\n")[0]))]
    nb["cells"] = [cell] + cells
    return nb


def write_gradescope(assignment: Assignment, folder: Path, run_tests: bool = True) -> Path:
    """Run ``otter assign`` into ``folder``; return the autograder zip's path."""
    uses_ref = [t.name for t in assignment.tests if t.uses_ref]
    if uses_ref:
        raise GradescopeExportError(
            f"{assignment.notebook_path}: hidden tests {', '.join(uses_ref)} use `ref`, which otter's "
            "Gradescope zip cannot provide (it has no reference snapshot); grade this assignment "
            "with `course grade`, or rewrite those tests against literal values"
        )
    folder = Path(folder)
    with tempfile.TemporaryDirectory(prefix="course-gradescope-") as tmp:
        work = Path(tmp) / assignment.id
        shutil.copytree(assignment.root, work, ignore=shutil.ignore_patterns("mutants", ".*", "__pycache__"))
        master = work / assignment.notebook_path.name
        master.write_text(json.dumps(otter_master(assignment), indent=1), encoding="utf-8")
        cmd = [sys.executable, "-m", "otter", "assign", str(master), str(Path(tmp) / "out")]
        if not run_tests:
            cmd.append("--no-run-tests")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=OTTER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise GradescopeExportError(f"otter assign ran longer than {OTTER_TIMEOUT_S} s") from None
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().split("\n")[-25:])
            raise GradescopeExportError(
                f"otter assign failed on {assignment.notebook_path} (exit {proc.returncode}):\n{tail}")
        shutil.copytree(Path(tmp) / "out", folder)
    zips = sorted((folder / "autograder").glob("*.zip"))
    if not zips:
        raise GradescopeExportError(f"otter assign wrote no autograder zip under {folder}")
    return zips[-1]
