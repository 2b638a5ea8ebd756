"""An IsoFLOP sweep on one CPU thread: for each compute budget C, train GPT-2s of several widths on
D = C / (6 N) characters each, fit the held-out loss against log N per budget, and fit N_opt ∝ C^a.

    python benchmarks/isoflop_sweep.py [--budgets 3e10 1e11 3e11] [--widths 16 24 32 48 64] [--layers 1] [--seeds 0] [--batch 32]

Groundwork for 06-pretraining (``course_lib/pretraining.py`` is the training helper): it prints
what a student's sweep would show, how long it takes, and whether the best size grows with the
budget for every seed, before a lab asserts it.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib import pretraining  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budgets", type=float, nargs="+", default=[3e10, 1e11, 3e11])
    ap.add_argument("--widths", type=int, nargs="+", default=[16, 24, 32, 48, 64])
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--batch", type=int, default=pretraining.BATCH, help="windows of CONTEXT characters a step")
    args = ap.parse_args()

    import numpy as np
    import torch

    torch.set_num_threads(1)
    pretraining.corpus()
    started = time.perf_counter()
    for seed in args.seeds:
        optima, edges = [], 0
        print(f"seed {seed}: {len(args.widths)} widths x {args.layers} layer(s), batches of "
              f"{args.batch} x {pretraining.CONTEXT} characters")
        for budget in args.budgets:
            runs = [pretraining.train_run(w, args.layers, budget, seed, args.batch) for w in args.widths]
            best = min(runs, key=lambda r: r["val_loss"])
            log_opt, interior = pretraining.parabola_minimum([math.log(r["N"]) for r in runs], [r["val_loss"] for r in runs])
            optima.append(log_opt)
            edges += not interior
            cells = "  ".join(f"N={r['N']:>6} D={r['D']:>8} loss {r['val_loss']:.3f} ({r['seconds']:.1f}s)" for r in runs)
            print(f"  C={budget:.0e}: {cells}")
            where = "parabola's minimum" if interior else "at the grid's end, no fit:"
            print(f"    best on the grid N={best['N']} (loss {best['val_loss']:.3f}); {where} N={math.exp(log_opt):,.0f}; "
                  f"{sum(r['seconds'] for r in runs):.0f} s")
        grows = all(b > a for a, b in zip(optima, optima[1:]))
        slope = float(np.polyfit([math.log(c) for c in args.budgets], optima, 1)[0]) if len(args.budgets) > 1 else float("nan")
        print(f"  fitted N_opt ∝ C^{slope:.2f} (Chinchilla: about 0.5); the optimum grows with every budget: {grows}; "
              f"budgets whose best is at the grid's end: {edges}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
