"""How long `course similarity` takes on a class: 300 submissions of a lab compared pairwise.

    python benchmarks/similarity.py [--lab 05-rag] [--students 300] [--seed 0]

Builds a class from the lab's student template: every student answers with the reference
solution, each with its own identifier renames, comments and blank lines (so every pair shares
most of its code, the slowest case: no pair is skipped for having no fingerprint in common), and
a written answer of their own. Prints the seconds to read and fingerprint the class, to compare
every pair (code and text), and the pairs flagged. The issue's budget: under a minute for 300.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS = "model token logits prompt answer chunk query score vector batch value index result text item".split()


def make_class(lab: str, n: int, seed: int, root: Path) -> tuple[Path, Path]:
    import nbformat

    from autograder.authoring.master import load_assignment
    from autograder.release.pipeline import RESPONSE_CELL, solution_notebook, write_student

    assignment = load_assignment(REPO / "assignments" / lab)
    write_student(assignment, root / "student")
    template = root / "student" / f"{lab}.ipynb"
    solution = {c.source.split("\n")[0]: c.source for c in solution_notebook(assignment).cells if c.cell_type == "code"}
    rng = random.Random(seed)
    subs = root / "subs"
    subs.mkdir()
    for i in range(n):
        nb = nbformat.read(template, as_version=4)
        renames = {w: f"{w}_{rng.randrange(1000)}" for w in rng.sample(WORDS, 5)}
        for c in nb.cells:
            if c.cell_type == "code" and "otter_answer_cell" in c.metadata.get("tags", []):
                src = solution.get(c.source.split("\n")[0], c.source)
                for old, new in renames.items():
                    src = re.sub(rf"\b{old}\b", new, src)
                lines = [l + (f"  # step {rng.randrange(99)}" if rng.random() < 0.2 else "") for l in src.split("\n")]
                c.source = "\n".join(lines)
            elif c.cell_type == "markdown" and c.source.strip() == RESPONSE_CELL:
                c.source = " ".join(rng.choice(WORDS) for _ in range(60))
        nbformat.write(nb, subs / f"student{i:03d}.ipynb")
    return template, subs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lab", default="05-rag")
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from autograder.authoring.config import Similarity
    from autograder.reports.similarity import MAX_PAGES, compare, fingerprints, read_works, with_slices

    with tempfile.TemporaryDirectory() as tmp:
        template, subs = make_class(args.lab, args.students, args.seed, Path(tmp))
        start = time.perf_counter()
        works, starter, problems = read_works(template, subs, args.lab)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        prints = fingerprints(works, starter, Similarity())
        print_s = time.perf_counter() - start
        start = time.perf_counter()
        pairs = compare(prints, Similarity())
        compare_s = time.perf_counter() - start
        start = time.perf_counter()
        for p in [p for p in pairs if p.flagged][:MAX_PAGES]:
            with_slices(p, prints)
        slices_s = time.perf_counter() - start
    size = sum(len(w.code) for w in works) / max(len(works), 1)
    print(f"{args.lab}: {len(works)} submissions ({size:,.0f} characters of own code each), "
          f"{len(works) * (len(works) - 1) // 2:,} pairs")
    total = read_s + print_s + compare_s + slices_s
    print(f"  read {read_s:.1f} s, fingerprint {print_s:.1f} s, compare every pair {compare_s:.1f} s, exact overlap "
          f"of the {MAX_PAGES} pages' pairs {slices_s:.1f} s; total {total:.1f} s (budget 60 s)")
    print(f"  {sum(p.flagged for p in pairs):,} pairs flagged (every student pasted the reference: the worst case)")


if __name__ == "__main__":
    main()
