"""What a second Dask worker buys: one class graded with 1 and with 2 single-threaded workers.

    python benchmarks/cluster_speedup.py [--lab 00-warmup] [--copies 4] [--backend sandbox]

Releases the lab into a temporary folder, makes a class of its solution (``--copies`` times),
every mutant in ``assignments/<lab>/mutants/`` and the untouched template, and grades it with
``course grade --cluster local:1`` and ``local:2`` (a LocalCluster of single-threaded worker
processes on this machine; each grades with its own ``--backend``). Prints the seconds of each
and the speed-up; scores must match between the two runs. The issue's goal: near 2x on two cores.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def make_class(lab: str, dist: Path, folder: Path, copies: int) -> int:
    from autograder.authoring.mutants import Mutant, mutant_notebook

    bundle = dist / lab / "autograder"
    folder.mkdir(parents=True)
    solution = bundle / "solution.ipynb"
    for i in range(copies):
        shutil.copy(solution, folder / f"solution{i}.ipynb")
    import json

    questions = {q["name"] for q in json.loads((bundle / "questions.json").read_text())["questions"]}
    for path in sorted((REPO / "assignments" / lab / "mutants").glob("*.py")):
        (folder / f"{path.stem}.ipynb").write_bytes(mutant_notebook(solution, Mutant.load(path, questions)))
    shutil.copy(next((dist / lab / "student").glob("*.ipynb")), folder / "template.ipynb")
    return len(list(folder.glob("*.ipynb")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lab", default="00-warmup")
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--backend", default="sandbox")
    args = ap.parse_args()
    from autograder.gradebook import Gradebook
    from autograder.grading.class_grading import grade_class
    from autograder.release.pipeline import release

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        release(REPO / "assignments" / args.lab, tmp / "dist")
        n = make_class(args.lab, tmp / "dist", tmp / "class", args.copies)
        seconds, scores = {}, {}
        for workers in (1, 2):
            gb = Gradebook(f"sqlite:///{tmp / f'gb{workers}.db'}")
            start = time.perf_counter()
            summary = grade_class(tmp / "dist" / args.lab / "autograder", tmp / "class", args.backend, gb,
                                  tmp / f"results{workers}", progress=False, cluster=f"local:{workers}")
            seconds[workers] = time.perf_counter() - start
            scores[workers] = {g.student: g.score for g in gb.grades(args.lab)}
            assert not summary.failed, summary.failed
        assert scores[1] == scores[2], "the two runs disagree"
    print(f"{args.lab}, {n} submissions, {args.backend} backend: 1 worker {seconds[1]:.1f} s, "
          f"2 workers {seconds[2]:.1f} s, speed-up {seconds[1] / seconds[2]:.2f}x (cluster start-up included)")


if __name__ == "__main__":
    main()
