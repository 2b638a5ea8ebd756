"""An IsoFLOP sweep on one CPU thread: for each compute budget C, train GPT-2s of several widths on
D = C / (6 N) characters each, fit the held-out loss against log N per budget, and fit N_opt ∝ C^a.

    python benchmarks/isoflop_sweep.py [--seeds 0 1 2] [--grid 1e10:6,8,12,16 3e10:8,12,16,24 ...] [--layers 1] [--batch 32]

The default grid is 06-pretraining's (q3, ``pretraining.GRID``): each budget's widths bracket its optimum, because a grid
shared by every budget puts the low budgets' best at its smallest width. It prints what a student's
sweep shows, how long it takes, and whether the best size grows with the budget for every seed.
The steps rule and the fit are the lab's answers; they are written out here again so the benchmark
needs no notebook.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib import pretraining  # noqa: E402


def steps_for_budget(compute: float, n: int, batch: int) -> int:
    """Whole steps of ``batch`` windows that ``C = 6 N D`` allows, at least one."""
    return max(1, int(compute // (6 * n * batch * pretraining.CONTEXT)))


def parabola_minimum(log_n: list[float], losses: list[float]) -> tuple[float, bool]:
    """``(log N, interior)``: the vertex of the parabola through the grid's best point and its two
    neighbours (local, so that the far ends of the grid do not bend it); at an end of the grid, or
    when the three points do not open upwards, the best point itself."""
    import numpy as np

    order = sorted(range(len(log_n)), key=lambda i: log_n[i])
    xs, ys = [log_n[i] for i in order], [losses[i] for i in order]
    best = int(np.argmin(ys))
    if best == 0 or best == len(xs) - 1:
        return float(xs[best]), False
    a, b, _ = np.polyfit(xs[best - 1:best + 2], ys[best - 1:best + 2], 2)
    return (float(-b / (2 * a)) if a > 0 else float(xs[best])), True


def parse_grid(items: list[str]) -> dict[float, tuple[int, ...]]:
    grid = {}
    for item in items:
        budget, _, widths = item.partition(":")
        grid[float(budget)] = tuple(int(w) for w in widths.split(","))
    return grid


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", nargs="+", help="BUDGET:W,W,... per budget (default: the lab's)")
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--batch", type=int, default=pretraining.BATCH, help="windows of CONTEXT characters a step")
    args = ap.parse_args()
    grid = parse_grid(args.grid) if args.grid else pretraining.GRID

    import numpy as np

    pretraining.corpus()
    started = time.perf_counter()
    for seed in args.seeds:
        optima, edges, best_losses = [], 0, []
        print(f"seed {seed}: {args.layers} layer(s), batches of {args.batch} x {pretraining.CONTEXT} characters")
        for budget, widths in grid.items():
            runs = []
            for w in widths:
                n = pretraining.parameters(pretraining.model(w, args.layers))
                runs.append(pretraining.train(w, args.layers, steps_for_budget(budget, n, args.batch), seed, args.batch))
            best = min(runs, key=lambda r: r["val_loss"])
            best_losses.append(best["val_loss"])
            log_opt, interior = parabola_minimum([math.log(r["N"]) for r in runs], [r["val_loss"] for r in runs])
            optima.append(log_opt)
            edges += not interior
            cells = "  ".join(f"N={r['N']:>6} D={r['D']:>8} loss {r['val_loss']:.3f} ({r['seconds']:.1f}s)" for r in runs)
            print(f"  C={budget:.0e}: {cells}")
            where = "parabola's minimum" if interior else "at the grid's end, no fit:"
            print(f"    best on the grid N={best['N']} (loss {best['val_loss']:.3f}); {where} N={math.exp(log_opt):,.0f}; "
                  f"{sum(r['seconds'] for r in runs):.0f} s")
        grows = all(b > a for a, b in zip(optima, optima[1:]))
        falls = all(b < a for a, b in zip(best_losses, best_losses[1:]))
        slope = float(np.polyfit([math.log(c) for c in grid], optima, 1)[0]) if len(grid) > 1 else float("nan")
        ratio = min(b / a for a, b in zip(map(math.exp, optima), map(math.exp, optima[1:]))) if len(grid) > 1 else float("nan")
        print(f"  fitted N_opt ∝ C^{slope:.2f} (Chinchilla: about 0.5); the optimum grows with every budget: {grows} "
              f"(smallest step x{ratio:.2f}); the best loss falls: {falls}; budgets whose best is at the grid's end: {edges}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
