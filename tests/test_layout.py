"""The grader's layout is enforced, not a convention: each stage imports only the stages below it
(import-linter's layers contract in pyproject.toml), and no modules import each other in a cycle,
function-local imports included. Each check is also shown failing on a copy of the package with
one deliberate upward import or cycle."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts, on the ``autograder`` package found under ``root``."""
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=120)


CYCLES = """
import json, sys

import grimp

graph = grimp.build_graph("autograder", cache_dir=None)
edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i.startswith("autograder"))
         for m in graph.modules}
sys.setrecursionlimit(10000)
index, low, stack, cycles = {}, {}, [], []

def visit(v):     # Tarjan's strongly connected components
    index[v] = low[v] = len(index)
    stack.append(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        group = []
        while True:
            w = stack.pop()
            group.append(w)
            if w == v:
                break
        if len(group) > 1:
            cycles.append(sorted(group))

for m in sorted(edges):
    if m not in index:
        visit(m)
print(json.dumps(cycles))
"""


def import_cycles(root: Path) -> list[list[str]]:
    """Groups of ``autograder`` modules (the package under ``root``) that import each other. In its own
    process: grimp finds the package on the path, and this one has imported the checkout's."""
    done = subprocess.run([sys.executable, "-c", CYCLES], cwd=root, env=dict(os.environ, PYTHONPATH=str(root)),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def package_copy(tmp_path: Path, edit: dict[str, str]) -> Path:
    """A copy of ``autograder/`` with ``edit`` (module path -> a line appended to it)."""
    root = tmp_path / "src"
    shutil.copytree(REPO / "autograder", root / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    for rel, line in edit.items():
        path = root / "autograder" / rel
        path.write_text(path.read_text() + "\n" + line + "\n")
    return root


def test_stages_import_only_the_stages_below_them():
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Contracts: (\d+) kept, 0 broken", done.stdout), done.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    # the late policy (authoring, the bottom stage) reaching up into the gradebook
    root = package_copy(tmp_path, {"authoring/late_policy.py": "from autograder.gradebook import final_score  # noqa"})
    done = lint_imports(root)
    assert done.returncode == 1, done.stdout
    assert "autograder.authoring.late_policy -> autograder.gradebook" in done.stdout, done.stdout


def test_the_students_process_imports_no_grader_internals(tmp_path):
    root = package_copy(tmp_path, {"isolation/runner.py": "def _peek():\n    from autograder.authoring import master  # noqa"})
    done = lint_imports(root)
    assert done.returncode == 1 and "autograder.isolation.runner -> autograder.authoring.master" in done.stdout, \
        done.stdout


def test_no_import_cycles():
    assert import_cycles(REPO) == []


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    # the engine already imports the bundle; a local import back is still a cycle
    root = package_copy(tmp_path, {"grading/bundle.py": "def _later():\n    from autograder.grading import engine  # noqa"})
    assert import_cycles(root) == [["autograder.grading.bundle", "autograder.grading.engine"]]
