"""A question's ``forbid`` list (``forbid: [generate]`` in the master notebook), checked on the
submission's code, in the grading process.

Some questions grade a hand-written loop *against* a library call: 00-warmup's q2 compares
``greedy_generate`` with ``model.generate``. A function that simply calls ``model.generate``
passes every such test, and no test of outputs can tell. So the grader reads the code: it parses
every code cell of the submission that the runner would run (``execution.code_cells_of``; a cell
that does not parse is skipped, as it defines nothing when it runs), takes the student's
definitions of the names the question's solution cells define (``forbid_in`` in
``questions.json``, recorded at release), and looks in them, and transitively in every
notebook-level function, class or variable they use by name, for a forbidden name used

* as an attribute, called or not: ``model.generate(...)``, ``self.model.generate``, ``f = model.generate``;
* as a bare name or an import: ``generate(...)``, ``from transformers import generate``;
* as a string constant, so ``getattr(model, "generate")``; docstrings and comments do not count.

Every definition of a graded name counts, at any place in the notebook (an earlier version left
in a cell the student redefined later included), and a name a function binds itself (a parameter,
a local variable) is not followed to the notebook's global of that name. A hit fails every hidden
test of the question (``engine.Grading``), with a message naming the function, cell and line.

Out of scope, on purpose: code built at run time (``exec``/``eval`` of a built string,
``getattr(model, "gene" + "rate")``, ``globals()[...]``, a module the notebook writes to a file and
imports), and library code that calls the name for the student (a helper of ``transformers`` that
wraps ``generate``). This check stops the easy
shortcut the question's text forbids, in the open, not an obfuscated one; staff reading a
suspicious submission remain the backstop.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from autograder.isolation.execution import NotebookError, code_cells_of, comment_out_magics, parse_python

# compound statements whose bodies still run at the notebook's top level
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Use:
    """One use of a forbidden name: ``how`` is "calls", "uses", "imports" or "names" (a string)."""
    name: str
    how: str
    cell: int
    line: int

    def describe(self) -> str:
        what = f'the string "{self.name}"' if self.how == "names" else self.name
        verb = "uses" if self.how == "names" else self.how
        return f"{verb} {what} (cell {self.cell}, line {self.line})"


@dataclass(frozen=True)
class Violation:
    function: str                   # the graded function or class
    use: Use
    via: tuple[str, ...] = ()       # the notebook names between it and the use

    def describe(self) -> str:
        chain = "".join(f"uses {name}, which " for name in self.via)
        return f"{self.function} {chain}{self.use.describe()}"


@dataclass
class _Binding:
    node: ast.AST       # a def/class statement, or the value assigned to the name
    cell: int


@dataclass
class _Scan:
    uses: list[Use] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)    # global names it reads, in order of first use


class NotebookCode:
    """The notebook-level bindings of a notebook's code cells (``name -> definitions``)."""

    def __init__(self, sources: list[str], numbers: list[int]):
        self.bindings: dict[str, list[_Binding]] = {}
        for source, number in zip(sources, numbers):
            tree = _parse(source)
            if tree is not None:
                self._collect(tree.body, number)

    @classmethod
    def from_notebook(cls, data: bytes) -> "NotebookCode":
        try:
            sources, numbers = code_cells_of(data)
        except (NotebookError, RecursionError, MemoryError):    # the runner reports an unreadable notebook
            sources, numbers = [], []
        return cls(sources, numbers)

    def _collect(self, body: list[ast.stmt], cell: int) -> None:
        for stmt in body:
            if isinstance(stmt, _DEFS):
                self._bind(stmt.name, stmt, cell)
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    for name in _target_names(target):
                        self._bind(name, stmt.value, cell)
            elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
                for name in _target_names(stmt.target):
                    self._bind(name, stmt.value, cell)
            else:   # if/for/while/try/with/match at top level: their bodies bind notebook names too
                for name in _BLOCK_FIELDS:
                    for child in getattr(stmt, name, None) or []:
                        self._collect(child.body if isinstance(child, (ast.ExceptHandler, ast.match_case))
                                      else [child], cell)

    def _bind(self, name: str, node: ast.AST, cell: int) -> None:
        self.bindings.setdefault(name, []).append(_Binding(node, cell))

    def violations(self, graded: list[str], forbidden: list[str]) -> list[Violation]:
        """The first use of a forbidden name reachable from each graded name (direct uses first)."""
        forbidden_set = set(forbidden)
        scans: dict[int, _Scan] = {}

        def scan(b: _Binding) -> _Scan:
            if id(b.node) not in scans:
                scans[id(b.node)] = _scan(b.node, b.cell, forbidden_set)
            return scans[id(b.node)]

        found = []
        for name in graded:
            seen, queue = {name}, [(name, ())]
            while queue:                          # breadth first: the shortest chain is reported
                current, via = queue.pop(0)
                scanned = [scan(b) for b in self.bindings.get(current, [])]
                uses = sorted((u for s in scanned for u in s.uses), key=lambda u: (u.cell, u.line))
                if uses:
                    found.append(Violation(name, uses[0], via))
                    break
                for s in scanned:
                    for ref in s.refs:
                        if ref in self.bindings and ref not in seen:
                            seen.add(ref)
                            queue.append((ref, via + (ref,)))
        return found


def _parse(source: str) -> ast.Module | None:
    """A cell as the runner compiles it (IPython magics commented out); ``None`` if it does not parse."""
    for text in (source, comment_out_magics(source)):
        try:
            return parse_python(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in _target_names(t)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _docstrings(node: ast.AST) -> set[int]:
    """``id`` of every docstring constant inside ``node``."""
    out = set()
    for n in ast.walk(node):
        body = getattr(n, "body", None)
        if isinstance(n, (*_DEFS, ast.Module)) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            out.add(id(body[0].value))
    return out


def _local_names(node: ast.AST) -> set[str]:
    """Names the code binds itself (parameters, assignments, loop variables, nested defs, imports),
    minus those it declares ``global``: reading them does not read the notebook's global."""
    bound, declared_global = set(), set()
    for n in ast.walk(node):
        if isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            bound.add(n.id)
        elif isinstance(n, _DEFS) and n is not node:
            bound.add(n.name)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            bound.add(n.name)
        elif isinstance(n, ast.alias) and n is not node:
            bound.add(n.asname or n.name.split(".")[0])
        elif isinstance(n, ast.Global):
            declared_global.update(n.names)
    return bound - declared_global


def _scan(node: ast.AST, cell: int, forbidden: set[str]) -> _Scan:
    out = _Scan()
    docstrings = _docstrings(node)
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    if isinstance(node, ast.ClassDef):       # a class: its methods' own names (the class body's are globals' peers)
        locals_ = set().union(*(_local_names(m) for m in node.body if isinstance(m, _DEFS)))
    else:
        locals_ = _local_names(node)
    refs: dict[str, None] = {}
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr in forbidden:
            out.uses.append(Use(n.attr, "calls" if id(n) in called else "uses", cell, n.lineno))
        elif isinstance(n, ast.Name):
            if n.id in forbidden:
                out.uses.append(Use(n.id, "calls" if id(n) in called else "uses", cell, n.lineno))
            elif isinstance(n.ctx, ast.Load) and n.id not in locals_:
                refs.setdefault(n.id)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in forbidden \
                and id(n) not in docstrings:
            out.uses.append(Use(n.value, "names", cell, n.lineno))
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for alias in n.names:
                parts = {*alias.name.split("."), alias.asname}
                hit = sorted(parts & forbidden)
                if hit:
                    out.uses.append(Use(hit[0], "imports", cell, n.lineno))
    out.refs = list(refs)
    return out


def question_violations(notebook: bytes, questions: list[dict]) -> dict[str, str]:
    """``question -> message`` for each question (the bundle's ``questions.json`` entries) whose
    ``forbid`` names the submission's graded functions use; the message is shown to the student."""
    rules = [q for q in questions if q.get("forbid") and q.get("forbid_in")]
    if not rules:
        return {}
    code = NotebookCode.from_notebook(notebook)
    messages = {}
    for q in rules:
        found = code.violations(q["forbid_in"], q["forbid"])
        if found:
            what = "; ".join(v.describe() for v in found)
            messages[q["name"]] = (f"{q['name']}: {what}, which this question forbids: write that part yourself; "
                                   f"no hidden test of {q['name']} gives points while it does")
    return messages
