"""``course validate``: prove an assignment's tests before a class is graded on them.

Four checks, all through the real grading engine:

(a) the solution scores full marks on every autograded question;
(b) the untouched student notebook scores zero on every autograded question;
(c) every mutant in ``assignments/<id>/mutants/`` loses exactly the questions it declares
    (``loses:``), and perhaps those it says it ``may lose:`` as well;
(d) the solution graded three times scores identically, test by test.

A mutant is a small Python file: a docstring whose ``loses:`` line names the questions it
must lose, and code that redefines one or more of the solution's names, e.g.::

    \"\"\"Top-p keeps one token too few: the token that crosses p is dropped.

    loses: q3
    \"\"\"
    def top_p_filter(logits, p): ...

It is inserted as a new cell right after the last solution cell that defines one of those
names, so everything after it (later questions included) uses the mutated code.

A mistake should cost points once, where it is made: a later question's tests grade its own
skill on the reference's upstream outputs (``ref.chunks``), not the student's. Where a lab means
a cascade (an evaluation question measures the model the training question produced) and
whether it happens depends on the model's weights, the mutant says so with ``may lose: q5``;
validate then accepts either outcome and prints which happened.
"""

from __future__ import annotations

import ast
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.backends import Backend
from autograder.engine import Bundle, grade_notebook

LOSES = re.compile(r"^\s*loses\s*:\s*(.+)$", re.MULTILINE)
MAY_LOSE = re.compile(r"^\s*may lose\s*:\s*(.+)$", re.MULTILINE)
RERUNS = 3


class MutantError(ValueError):
    pass


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


@dataclass
class Check:
    kind: str            # solution | template | mutant | rerun
    name: str
    ok: bool
    detail: str
    score: float | None = None
    lost: list[str] = field(default_factory=list)
    result: dict | None = field(default=None, repr=False, compare=False)   # the solution's grading result


def _lost(result: dict) -> set[str]:
    return {name for name, q in result["questions"].items()
            if not q["manual"] and q["points"] < q["max_points"] - 1e-9}


def _earned(result: dict) -> set[str]:
    return {name for name, q in result["questions"].items() if not q["manual"] and q["points"] > 1e-9}


def _fingerprint(result: dict) -> list:
    return [(t["name"], t["status"], t["points"]) for q in result["questions"].values() for t in q["tests"]]


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


def validate(assignment_dir: Path, dist_dir: Path, backend: Backend, workers: int = 2, log=print,
             quick: bool = False) -> list[Check]:
    """Run every check; returns them (``ok`` False where the assignment's tests are wrong).

    ``quick``: only :func:`one_per_question` of the mutants.
    """
    bundle = Bundle.load(dist_dir / "autograder")
    qnames = {q["name"] for q in bundle.questions if not q["manual"]}
    mutants = [Mutant.load(p, qnames) for p in sorted((assignment_dir / "mutants").glob("*.py"))]
    if quick:
        mutants = one_per_question(mutants)
    solution = (bundle.folder / "solution.ipynb").read_bytes()
    template = next((dist_dir / "student").glob("*.ipynb")).read_bytes()
    jobs = [("solution", f"run {i + 1}", solution) for i in range(RERUNS)]
    jobs.append(("template", "student notebook", template))
    jobs += [("mutant", m.name, mutant_notebook(bundle.folder / "solution.ipynb", m)) for m in mutants]
    backend.prepare(bundle.folder)

    def run(job, slot):
        kind, name, data = job
        return grade_notebook(bundle, data, backend, slot=slot, student=f"{kind}:{name}")

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(run, jobs, [i % max(1, workers) for i in range(len(jobs))]))
    by_job = dict(zip([(k, n) for k, n, _ in jobs], results))
    checks = []

    first = by_job[("solution", "run 1")]
    lost = sorted(_lost(first))
    checks.append(Check("solution", "full marks", not lost and first["exit_reason"] == "ok",
                        ("every autograded question at full marks" if not lost else
                         "loses " + "; ".join(_explain(first, q) for q in lost)) + _exit(first) + _shown(first),
                        first["score"], lost, first))
    earned = sorted(_earned(by_job[("template", "student notebook")]))
    checks.append(Check("template", "zero", not earned,
                        "scores zero on every autograded question" if not earned else
                        "earns points on " + ", ".join(f"{q} (a test passes without a solution)" for q in earned),
                        by_job[("template", "student notebook")]["score"], earned))
    checks += [judge_mutant(m, by_job[("mutant", m.name)]) for m in mutants]
    prints = [_fingerprint(by_job[("solution", f"run {i + 1}")]) for i in range(RERUNS)]
    same = all(p == prints[0] for p in prints)
    checks.append(Check("rerun", f"{RERUNS} identical runs", same,
                        "identical scores test by test" if same else "the solution's test results differ between runs"))
    return checks


def judge_mutant(m: Mutant, result: dict) -> Check:
    """A mutant is caught when it loses every question under ``loses:`` and nothing else but
    (perhaps) those under ``may lose:``; the detail says which cascade happened."""
    got = _lost(result)
    ok = m.loses <= got <= m.loses | m.may_lose
    detail = f"loses {', '.join(sorted(got)) or 'nothing'}"
    if m.may_lose:
        cascaded = sorted(got & m.may_lose)
        detail += (f" (may lose {', '.join(sorted(m.may_lose))}: "
                   f"{'it did, ' + ', '.join(cascaded) if cascaded else 'it did not'})")
    if not ok:
        missing, extra = m.loses - got, got - m.loses - m.may_lose
        detail += "; expected " + ", ".join(sorted(m.loses))
        if missing:
            detail += f" - no test of {', '.join(sorted(missing))} catches it"
        if extra:
            detail += f" - it also loses {', '.join(sorted(extra))}"
    return Check("mutant", m.name, ok, detail, result["score"], sorted(got))


def _explain(result: dict, question: str) -> str:
    bad = [t for t in result["questions"][question]["tests"] if t["status"] != "passed"]
    if not bad:
        return question
    t = bad[0]
    why = " ".join((t.get("staff_detail") or t["message"]).split())   # one line in the table
    return f"{question} ({t['name']}: {t['status']}: {why[:400]})"


def _shown(result: dict) -> str:
    """What the tests put on a student's page through ``feedback``, counted."""
    shown = result.get("artifacts") or {}
    counts = [f"{len(shown.get(k) or ())} {k}" for k in ("samples", "metrics", "curves") if shown.get(k)]
    return f"; feedback: {', '.join(counts)}" if counts else ""


def _exit(result: dict) -> str:
    return "" if result["exit_reason"] == "ok" else f" [exit: {result['exit_reason']}: {result['exit_detail'][:200]}]"


def table(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks) + 2
    lines = [f"{'check':<10}{'name':<{width}}{'result':<8}detail"]
    for c in checks:
        lines.append(f"{c.kind:<10}{c.name:<{width}}{'ok' if c.ok else 'FAIL':<8}{c.detail}")
    return "\n".join(lines)


def write_report(checks: list[Check], path: Path) -> None:
    path.write_text(json.dumps([c.__dict__ for c in checks], indent=2))
