"""``course validate``: prove an assignment's tests before a class is graded on them.

The checks, all through the real grading engine:

(a) the solution scores full marks on every autograded question;
(b) the untouched student notebook scores zero on every autograded question;
(c) every mutant in ``assignments/<id>/mutants/`` loses exactly the questions it declares
    (``loses:``), and perhaps those it says it ``may lose:`` as well;
(d) the solution graded three times scores identically, test by test;
(e) the probes (unless ``probes=False``): no hidden test passes on the template plus the values
    the solution left in the variables it reads, and no autograded test passes on the template
    plus untrained equivalents (zoo weights, fresh heads, untouched adapters) of the model
    folders the solution saved (``autograder/release/probes.py``).

The mutant format is ``autograder/authoring/mutants.py``'s.

A mistake should cost points once, where it is made: a later question's tests grade its own
skill on the reference's upstream outputs (``ref.chunks``), not the student's. Where a lab means
a cascade (an evaluation question measures the model the training question produced) and
whether it happens depends on the model's weights, the mutant says so with ``may lose: q5``;
validate then accepts either outcome and prints which happened.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autograder.authoring.mutants import Mutant, mutant_notebook, one_per_question
from autograder.isolation.backend import Backend
from autograder.release.probes import (ARTEFACTS, READS, forged_notebook, load_artefacts, load_reads, trusting_tests,
                                       untrained_notebook, untrained_passes)
from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.release.record_reference import load_reference_run, outcomes

RERUNS = 3


@dataclass
class Check:
    kind: str            # solution | template | mutant | probe | rerun
    name: str
    ok: bool
    detail: str
    score: float | None = None
    lost: list[str] = field(default_factory=list)
    result: dict | None = field(default=None, repr=False, compare=False)   # the solution's grading result
    examined: str = ""   # probes: what they examined, for the lab's summary line


def _lost(result: dict) -> set[str]:
    return {name for name, q in result["questions"].items()
            if not q["manual"] and q["points"] < q["max_points"] - 1e-9}


def _earned(result: dict) -> set[str]:
    return {name for name, q in result["questions"].items() if not q["manual"] and q["points"] > 1e-9}


def validate(assignment_dir: Path, dist_dir: Path, backend: Backend, workers: int = 2, log=print,
             quick: bool = False, probes: bool = True) -> list[Check]:
    """Run every check; returns them (``ok`` False where the assignment's tests are wrong).

    ``quick``: only :func:`one_per_question` of the mutants, and one run of the solution, whose
    outcomes must match the release's own recording run (two independent runs, where the full
    check runs it three times). ``probes``: the probes of ``autograder/release/probes.py`` (forged
    results, untrained artefacts).
    """
    bundle = Bundle.load(dist_dir / "autograder")
    qnames = {q["name"] for q in bundle.questions if not q["manual"]}
    mutants = [Mutant.load(p, qnames) for p in sorted((assignment_dir / "mutants").glob("*.py"))]
    if quick:
        mutants = one_per_question(mutants)
    solution = (bundle.folder / "solution.ipynb").read_bytes()
    template = next((dist_dir / "student").glob("*.ipynb")).read_bytes()
    recorded = load_reference_run(dist_dir) if quick else None
    runs = RERUNS if recorded is None else 1
    jobs = [("solution", f"run {i + 1}", solution) for i in range(runs)]
    jobs.append(("template", "student notebook", template))
    jobs += [("mutant", m.name, mutant_notebook(bundle.folder / "solution.ipynb", m)) for m in mutants]
    reads = load_reads(bundle.folder) if probes else None
    if reads is not None:
        jobs.append(("probe", "forged results", forged_notebook(template, reads["values"])))
    artefacts = load_artefacts(bundle.folder) if probes else None
    if artefacts is not None and artefacts["folders"]:
        jobs.append(("probe", "untrained artefacts", untrained_notebook(template, artefacts["folders"])))
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
                         "loses " + "; ".join(_explain(first, q) for q in lost)) + _exit(first) + _shown(first)
                        + _headroom(first, bundle.limits), first["score"], lost, first))
    earned = sorted(_earned(by_job[("template", "student notebook")]))
    checks.append(Check("template", "zero", not earned,
                        "scores zero on every autograded question" if not earned else
                        "earns points on " + ", ".join(f"{q} (a test passes without a solution)" for q in earned),
                        by_job[("template", "student notebook")]["score"], earned))
    checks += [judge_mutant(m, by_job[("mutant", m.name)]) for m in mutants]
    if probes:
        checks.append(judge_forged(reads, by_job.get(("probe", "forged results")), bundle.config.trusts))
        checks.append(judge_untrained(artefacts, by_job.get(("probe", "untrained artefacts")),
                                      by_job[("template", "student notebook")], qnames, bundle.config.trusts))
    checks.append(judge_reruns([by_job[("solution", f"run {i + 1}")] for i in range(runs)], recorded))
    return checks


def judge_reruns(results: list[dict], recorded: dict | None = None) -> Check:
    """The solution's runs (and the release's recording run, when given) must agree test by test."""
    prints = [outcomes(r) for r in results] + ([recorded["tests"]] if recorded is not None else [])
    differ = sorted({t[0] for p in prints for t in p if any(t not in other for other in prints)})
    return Check("rerun", f"{len(prints)} identical runs", not differ,
                 ("identical scores test by test" if not differ else
                  "the solution's test results differ between runs: " + ", ".join(differ))
                 + (" (the release's recording run and this one)" if recorded is not None else ""))


def judge_forged(reads: dict | None, result: dict | None, trusts: dict[str, str]) -> Check:
    """No hidden test may pass on the template plus the solution's values of the variables it reads,
    unless ``assignment.toml`` says why it may (``[validate] trusts``)."""
    if reads is None:
        return Check("probe", "forged results", False, f"no {READS} in the release: release again to record it")
    examined = len(reads["tests"])
    read = dict(trusting_tests(result, reads))
    bad, excused = _trusted(list(read), trusts)
    detail = f"{examined} hidden tests read notebook values; "
    detail += ("none passes on the solution's values forged into the template" if not bad else
               "pass on forged values (they trust the notebook's variables): " +
               "; ".join(f"{t} ({', '.join(read[t])})" for t in bad))
    return Check("probe", "forged results", not bad, detail + excused, lost=bad,
                 examined=f"forged results: {examined} tests read notebook values")


def judge_untrained(artefacts: dict | None, result: dict | None, template: dict | None, autograded: set[str],
                    trusts: dict[str, str]) -> Check:
    """No autograded test may pass on the template plus untrained equivalents of the folders the
    solution saved (the template alone earns nothing, so such a test gives points without the
    training), unless ``assignment.toml`` says why it may (``[validate] trusts``)."""
    name = "untrained artefacts"
    if artefacts is None:
        return Check("probe", name, False, f"no {ARTEFACTS} in the release: release again to record it")
    folders = artefacts["folders"]
    if not folders:
        return Check("probe", name, True, "the solution saves no model", examined="untrained artefacts: no saved model")
    readers = sorted({t for f in folders for t in f.get("tests", ())})
    graded = sum(len(q["tests"]) for qn, q in result["questions"].items() if qn in autograded)
    detail = (f"{len(folders)} saved folders ({', '.join(f['path'] + ('' if f.get('base') else ' (no zoo match)') for f in folders)}); "
              f"{len(readers)} tests read them, {graded} autograded tests graded; ")
    cell = max(result.get("cells") or [{}], key=lambda c: c.get("index", -1))
    if cell.get("status") != "ok":
        why = " ".join(str(cell.get("error") or cell.get("status") or "it did not run").split())[-600:]
        return Check("probe", name, False, detail + f"the probe cell could not write the untrained folders: {why}"
                     + _exit(result))
    passing = untrained_passes(result, template, autograded)
    bad, excused = _trusted(passing, trusts)
    read_by = {t: [f["path"] for f in folders if t in f.get("tests", ())] for t in passing}
    detail += ("none passes on untrained ones (the zoo's weights, fresh heads, untouched adapters)" if not bad else
               "pass on untrained artefacts (they give points without the training): " +
               "; ".join(f"{t} ({', '.join(read_by[t]) or 'reads no saved folder'})" for t in bad))
    return Check("probe", name, not bad, detail + excused + _exit(result), lost=bad,
                 examined=f"untrained artefacts: {graded} tests graded with {len(folders)} saved folders untrained")


def _trusted(passing: list[str], trusts: dict[str, str]) -> tuple[list[str], str]:
    """A probe's passing tests split: those that fail validation, and the detail's note on those
    ``[validate] trusts`` excuses (empty when none)."""
    excused = [f"{t} ({trusts[t]})" for t in passing if t in trusts]
    return [t for t in passing if t not in trusts], ("; trusted by assignment.toml: " + "; ".join(excused)
                                                     if excused else "")


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
            # why, as for the solution: an unexpected loss may be a cascade or a timeout on a loaded machine
            detail += f" - it also loses {'; '.join(_explain(result, q) for q in sorted(extra))}"
        detail += _exit(result) + _timeouts(result)
    return Check("mutant", m.name, ok, detail, result["score"], sorted(got))


def _explain(result: dict, question: str) -> str:
    bad = [t for t in result["questions"][question]["tests"] if t["status"] != "passed"]
    if not bad:
        return question
    t = bad[0]
    why = " ".join((t.get("staff_detail") or t["message"]).split())   # one line in the table
    return f"{question} ({t['name']}: {t['status']}: {why[:400]})"


def _headroom(result: dict, limits) -> str:
    """How much of ``[limits]`` the solution used: staff keep it a fifth or less on an idle
    machine, since a loaded grading or CI machine runs a notebook several times slower."""
    slowest = max((c.get("seconds") or 0 for c in result.get("cells") or ()), default=0)
    cell = f", slowest cell {slowest:.0f} of {limits.cell_timeout_s:g} s" if limits.cell_timeout_s else ""
    return f"; took {result.get('runtime_s') or 0:.0f} of {limits.time_s:g} s{cell}"


def _timeouts(result: dict) -> str:
    """The cells that ran out of time, with their seconds: on a solution's mutant, most often a
    loaded machine rather than a wrong test."""
    slow = [c for c in result.get("cells") or () if c.get("status") == "timeout"]
    return "".join(f" [cell {c.get('index')} timed out after {c.get('seconds', 0):.0f} s]" for c in slow)


def _shown(result: dict) -> str:
    """What the tests put on a student's page through ``feedback``, counted."""
    shown = result.get("artifacts") or {}
    counts = [f"{len(shown.get(k) or ())} {k}" for k in ("samples", "metrics", "curves") if shown.get(k)]
    return f"; feedback: {', '.join(counts)}" if counts else ""


def _exit(result: dict) -> str:
    return "" if result["exit_reason"] == "ok" else f" [exit: {result['exit_reason']}: {result['exit_detail'][:200]}]"


def summary(checks: list[Check]) -> str:
    """What the probes examined, for the lab's last line: ``(forged results: 2 tests ...; ...)``."""
    parts = [c.examined for c in checks if c.examined]
    return f" ({'; '.join(parts)})" if parts else ""


def table(checks: list[Check]) -> str:
    width = max(len(c.name) for c in checks) + 2
    lines = [f"{'check':<10}{'name':<{width}}{'result':<8}detail"]
    for c in checks:
        lines.append(f"{c.kind:<10}{c.name:<{width}}{'ok' if c.ok else 'FAIL':<8}{c.detail}")
    return "\n".join(lines)


def write_report(checks: list[Check], path: Path) -> None:
    path.write_text(json.dumps([c.__dict__ for c in checks], indent=2))
