"""Per-submission grading overhead on each backend, next to ``otter run`` on the same notebook.

    python benchmarks/grading_overhead.py [--runs 5] [--backends local,sandbox,docker]
                                          [--assignments 00-toy,00-warmup] [--no-otter]

For each assignment (``00-toy``, and ``00-warmup`` when it exists) the solution notebook is
graded ``--runs`` times on each backend, after one untimed warm-up run (docker builds its
image, the grading process imports what the tests need). The overhead of one submission is
``result["runtime_s"]`` (start of grading to result) minus the notebook's own run time, the
sum of its cells' seconds: process or container start, the runner's imports, the wire, the
tests, restarts and clean-up.

``otter run`` (otter-grader 7, offline, no container) grades the same notebook with the
autograder zip that ``otter assign`` builds from the same master notebook. Its overhead is its
wall time minus the notebook's run time measured on the ``local`` backend; it includes a
Python start and otter's imports, which ``course grade`` pays once per class rather than per
submission (our backends' totals exclude them for the same reason). Assignments
whose hidden tests use ``ref`` have no otter zip (otter cannot carry the reference snapshot).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")


def release_assignment(name: str, out: Path):
    from autograder.release.pipeline import release

    return release(REPO / "assignments" / name, out).folder


def otter_zip(name: str, out: Path) -> tuple[Path | None, str]:
    """``otter assign`` (without its own test run) of the assignment; (zip, why not)."""
    from autograder.authoring.master import load_assignment
    from autograder.release.targets.gradescope import GradescopeExportError, write_gradescope

    try:
        return write_gradescope(load_assignment(REPO / "assignments" / name), out / "gradescope", run_tests=False), ""
    except GradescopeExportError as e:
        if "use `ref`" in str(e):
            return None, "hidden tests use `ref` (otter's zip has no reference snapshot)"
        return None, str(e).strip().splitlines()[-1][:70]


def grade_runs(bundle, notebook: bytes, backend, runs: int) -> list[tuple[float, float, float, float]]:
    """(runtime_s, notebook seconds, wall seconds around grade_notebook, tests' seconds) per timed run."""
    from autograder.grading.engine import grade_notebook
    from autograder.grading.reference_replay import ReplayReference

    backend.prepare(bundle.folder)
    reference = ReplayReference.load(bundle.folder)
    out = []
    for i in range(runs + 1):
        start = time.perf_counter()
        result = grade_notebook(bundle, notebook, backend, reference=reference)
        wall = time.perf_counter() - start
        if result["score"] != result["max_score"] or result["exit_reason"] != "ok":
            raise SystemExit(f"{bundle.assignment_id} on {backend.name}: the solution scored "
                             f"{result['score']}/{result['max_score']} ({result['exit_reason']}: {result['exit_detail']})")
        cells = sum(c["seconds"] or 0.0 for c in result["cells"])
        tests = sum(t["seconds"] or 0.0 for q in result["questions"].values() for t in q["tests"])
        if i:                                     # run 0 is the warm-up
            out.append((result["runtime_s"], cells, wall, tests))
    return out


def otter_runs(zip_path: Path, notebook: Path, runs: int, work: Path) -> list[float]:
    times = []
    for i in range(runs + 1):
        out_dir = work / f"otter-{i}"
        out_dir.mkdir()
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(out_dir),
                               "--no-logo", str(notebook)], capture_output=True, text=True, cwd=work)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0 or not (out_dir / "results.json").exists():
            raise SystemExit(f"otter run failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-2000:]}")
        if i:
            times.append(elapsed)
    return times


def fmt(values: list[float]) -> str:
    if not values:
        return "-"
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{mean:6.2f} ± {sd:4.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--backends", default="local,sandbox,docker")
    ap.add_argument("--assignments", default="00-toy,00-warmup")
    ap.add_argument("--no-otter", action="store_true")
    args = ap.parse_args(argv)

    from autograder.isolation.registry import get_backend
    from autograder.grading.bundle import Bundle

    names = [a for a in args.assignments.split(",") if (REPO / "assignments" / a / "assignment.toml").exists()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="grading-overhead-") as tmp:
        tmp = Path(tmp)
        for name in names:
            print(f"== {name}", file=sys.stderr)
            dist = release_assignment(name, tmp / "dist")
            bundle = Bundle.load(dist / "autograder")
            solution_path = dist / "autograder" / "solution.ipynb"
            notebook = solution_path.read_bytes()
            notebook_s = None
            for backend_name in args.backends.split(","):
                try:
                    backend = get_backend(backend_name)
                except RuntimeError as e:
                    rows.append((name, backend_name, 0, "-", "-", f"unavailable: {e}"[:60], "-"))
                    continue
                print(f"   {backend_name} x{args.runs}", file=sys.stderr)
                try:
                    runs = grade_runs(bundle, notebook, backend, args.runs)
                except RuntimeError as e:          # e.g. a model file the sandbox user cannot read
                    rows.append((name, backend_name, 0, "-", "-", f"not run: {e}"[:70], "-"))
                    continue
                totals, cells, walls, _ = zip(*runs)
                if backend_name == "local" or notebook_s is None:
                    notebook_s = statistics.fmean(cells)
                rows.append((name, backend_name, len(runs), fmt(list(totals)), fmt(list(cells)),
                             fmt([t - c for t, c, _, _ in runs]), fmt([t - c - x for t, c, _, x in runs])))
            if not args.no_otter:
                zip_path, why = otter_zip(name, tmp / name)
                if zip_path is None:
                    rows.append((name, "otter run", 0, "-", "-", f"n/a: {why}", "-"))
                else:
                    print(f"   otter run x{args.runs}", file=sys.stderr)
                    work = tmp / f"otter-{name}"
                    work.mkdir()
                    nb = work / f"{name}.ipynb"
                    # the same notebook, with the metadata otter checks (the assignment's name)
                    data = json.loads(notebook)
                    data.setdefault("metadata", {})["otter"] = {"assignment_name": name}
                    nb.write_text(json.dumps(data))
                    walls = otter_runs(zip_path, nb, args.runs, work)
                    rows.append((name, "otter run", len(walls), fmt(walls), f"{notebook_s:6.2f} (local)",
                                 fmt([w - (notebook_s or 0.0) for w in walls]), "-"))

    header = ("assignment", "backend", "runs", "total s", "notebook s", "overhead s", "less tests s")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line.format(*[str(x) for x in r]))
    print("\ntotal = result['runtime_s']; notebook = sum of the cells' seconds; overhead = total - notebook "
          "(mean ± sd over the runs, after one warm-up); less tests = overhead minus the tests' own run time "
          "(what isolation, process start and the wire cost).\notter run: total = wall time of the command, "
          "overhead = that minus the notebook's time on the local backend.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
