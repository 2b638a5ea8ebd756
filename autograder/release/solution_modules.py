"""``solutions/``: each assignment's reference solution as a plain Python module, generated from
its master notebook (the one source of truth), so staff can read, diff, import and unit-test it
outside Jupyter.

A module is the notebook ``release`` records the reference from (``solution.ipynb``: the
master's text and solution cells, solution markers removed, tests and prompts dropped) in
jupytext's percent format: ``# %%`` before each code cell, ``# %% [markdown]`` before each text
cell (its lines as comments), IPython magics commented out. ``course solutions`` writes them;
``course solutions --check`` (and ``tests/test_solutions.py``) fails when one differs from what
its master notebook generates, so the two never drift.
"""

from __future__ import annotations

import re
from pathlib import Path

from autograder.authoring.master import Assignment, find_assignments, load_assignment, solution_source
from autograder.isolation.execution import comment_out_magics

HEADER = '''"""{id} ({title}): the reference solution.

Generated from {notebook}: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/{name}.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.{name}` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""
'''


def module_name(assignment_id: str) -> str:
    """``05-rag`` -> ``lab_05_rag``: an importable name (a module cannot start with a digit)."""
    return "lab_" + re.sub(r"\W", "_", assignment_id)


def solution_module(assignment: Assignment, repo: Path) -> str:
    notebook = assignment.notebook_path.resolve()
    shown = notebook.relative_to(repo.resolve()) if notebook.is_relative_to(repo.resolve()) else notebook
    parts = [HEADER.format(id=assignment.id, title=assignment.config.title, notebook=shown,
                           name=module_name(assignment.id))]
    for cell in assignment.cells:
        if cell.role not in ("text", "solution") or not cell.source.strip():
            continue
        if cell.kind == "code":
            parts.append("# %%\n" + comment_out_magics(solution_source(cell.source)).rstrip() + "\n")
        elif cell.kind == "markdown":       # the lab's text, and written answers to manual questions
            lines = solution_source(cell.source).rstrip().split("\n")
            parts.append("# %% [markdown]\n" + "\n".join(f"# {line}".rstrip() for line in lines) + "\n")
    return "\n".join(parts)


def sync(assignments_root: Path, solutions_dir: Path, repo: Path, check: bool = False) -> list[Path]:
    """Write (or with ``check``, only compare) every assignment's solution module; returns the
    modules that were missing or different (with ``check``: the ones that differ)."""
    changed = []
    for folder in find_assignments(assignments_root):
        assignment = load_assignment(folder)
        path = Path(solutions_dir) / f"{module_name(assignment.id)}.py"
        text = solution_module(assignment, repo)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return changed
