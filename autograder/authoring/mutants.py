"""Mutants: an assignment's deliberately wrong solutions, one small Python file each under
``assignments/<id>/mutants/``, which ``course validate`` grades to prove the tests catch them.

A mutant is a docstring whose ``loses:`` line names the questions it must lose (and perhaps a
``may lose:`` line, for a cascade that depends on the weights), and code that redefines one or
more of the solution's names, e.g.::

    \"\"\"Top-p keeps one token too few: the token that crosses p is dropped.

    loses: q3
    \"\"\"
    def top_p_filter(logits, p): ...

It is inserted as a new cell right after the last solution cell that defines one of those
names, so everything after it (later questions included) uses the mutated code.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.errors import CourseError

LOSES = re.compile(r"^\s*loses\s*:\s*(.+)$", re.MULTILINE)
MAY_LOSE = re.compile(r"^\s*may lose\s*:\s*(.+)$", re.MULTILINE)


class MutantError(CourseError, ValueError):
    """A mutant file that cannot be used as it is."""


@dataclass
class Mutant:
    name: str
    path: Path
    description: str
    loses: set[str]
    code: str
    defines: set[str]
    may_lose: set[str] = field(default_factory=set)    # a cascade that depends on the weights

    @classmethod
    def load(cls, path: Path, questions: set[str]) -> "Mutant":
        code = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(code, filename=str(path))
        except SyntaxError as e:
            raise MutantError(f"{path}: line {e.lineno}: {e.msg}") from None
        doc = ast.get_docstring(tree) or ""
        m = LOSES.search(doc)
        if not m:
            raise MutantError(f"{path}: the docstring must say which questions this mutant loses, e.g. 'loses: q3'")
        loses = _questions(path, "loses", m.group(1), questions)
        may = MAY_LOSE.search(doc)
        may_lose = _questions(path, "may lose", may.group(1), questions) if may else set()
        if loses & may_lose:
            raise MutantError(f"{path}: {', '.join(sorted(loses & may_lose))} is under both 'loses:' and 'may lose:'")
        defines = _defined_names(tree)
        if not defines:
            raise MutantError(f"{path}: defines nothing; a mutant redefines a function or variable of the solution")
        return cls(path.stem, path, doc.split("\n")[0], loses, code, defines, may_lose)


def _questions(path: Path, label: str, text: str, questions: set[str]) -> set[str]:
    named = {q.strip() for q in re.split(r"[,\s]+", text) if q.strip()}
    unknown = named - questions
    if unknown:
        raise MutantError(f"{path}: '{label}:' names {', '.join(sorted(unknown))}, which the assignment does not have")
    return named


def _defined_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _cell_defines(source: str) -> set[str]:
    try:
        return _defined_names(ast.parse(source))
    except SyntaxError:
        return set()


def mutant_notebook(solution: Path, mutant: Mutant) -> bytes:
    nb = nbformat.read(str(solution), as_version=4)
    last = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and _cell_defines(cell.source) & mutant.defines:
            last = i
    if last is None:
        raise MutantError(f"{mutant.path}: none of {sorted(mutant.defines)} is defined by the solution notebook")
    nb.cells.insert(last + 1, nbformat.v4.new_code_cell(f"# mutant: {mutant.name}\n{mutant.code}"))
    return nbformat.writes(nb).encode()


def one_per_question(mutants: list[Mutant]) -> list[Mutant]:
    """The fewest mutants, in name order, that still target every question some mutant targets.

    ``course validate --quick`` and the CI suite use it: a lab's mutant runs each retrain its
    models, and one caught mutant per question already proves each question's tests bite.
    """
    chosen, covered = [], set()
    for m in mutants:
        if not m.loses <= covered:
            chosen.append(m)
            covered |= m.loses
    return chosen
