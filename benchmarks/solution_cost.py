"""What an assignment's solution notebook costs to grade: wall time and peak memory.

    python benchmarks/solution_cost.py 01-prompting [02-fine-tuning ...] [--backend sandbox|local|docker] [--runs 1]

Releases each assignment into a temporary folder (which runs the solution once, to record the
reference), then grades the solution notebook ``--runs`` times exactly as a student's
submission is graded: its own process, one intra-op thread, the assignment's limits. Prints,
per assignment, the notebook's own run time (the sum of its cells), the whole grading run
(process start, imports, tests) and the peak resident memory, next to the budget the
assignment's issue states (2 cores, 3 GiB).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

BUDGET_S = {"01-prompting": 45, "02-fine-tuning": 120, "03-peft": 120, "04-rlhf": 120, "05-rag": 60, "06-pretraining": 120, "07-evaluation": 120, "08-efficient-inference": 120}
BUDGET_MB = 3072


def main() -> None:
    from autograder.isolation.registry import get_backend
    from autograder.grading.bundle import Bundle
    from autograder.grading.engine import grade_notebook
    from autograder.release.pipeline import release

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("assignments", nargs="+")
    ap.add_argument("--backend", default="sandbox")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    print(f"{'assignment':<16}{'run':>4}{'cells s':>9}{'graded s':>10}{'peak MB':>9}{'score':>10}  budget")
    for name in args.assignments:
        with tempfile.TemporaryDirectory(prefix="solution-cost-") as tmp:
            folder = release(REPO / "assignments" / name, Path(tmp) / "dist").folder
            bundle = Bundle.load(folder / "autograder")
            backend = get_backend(args.backend)
            backend.prepare(bundle.folder)
            notebook = (bundle.folder / "solution.ipynb").read_bytes()
            for run in range(1, args.runs + 1):
                r = grade_notebook(bundle, notebook, backend, slot=0, student=f"solution-{run}")
                cells = sum(c.get("seconds") or 0 for c in r.get("cells", []))
                peak = r.get("peak_memory_mb") or float("nan")
                budget = f"{BUDGET_S.get(name, '?')} s, {BUDGET_MB} MB"
                print(f"{name:<16}{run:>4}{cells:>9.1f}{r['runtime_s']:>10.1f}{peak:>9.0f}"
                      f"{r['score']:>6g}/{r['max_score']:<3g}  {budget}  [{r['exit_reason']}]", flush=True)


if __name__ == "__main__":
    main()
