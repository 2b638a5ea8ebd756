"""How much per-group scales shrink absmax quantisation's weight error, on each build of tiny-flan:
the effect behind 08-efficient-inference's q2 measured on the weights, not on greedy summaries.

    python benchmarks/quantization_error.py [MODEL_FOLDER ...]

For each folder (default: the zoo's tiny-flan; a build `lesson_robustness.py --keep` kept works
too) and each of int4 / int3 it prints the relative error sum (w' - w)^2 / sum w^2 over tiny-flan's
block linears (`efficiency.block_linears`, as q2's `efficiency.weight_stats` measures it) with one
scale per tensor and one per group of 32, and their ratio. On recipe 4's eight robustness builds
(four by an Intel Xeon, four by an AMD EPYC) the ratio was 3.27-3.48 at both widths, while the
summaries' fidelity gap at int4 ranged from +0.04 to +0.16 (README, "What is known and left alone").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib import efficiency  # noqa: E402
from course_lib.models import zoo  # noqa: E402

GROUP = 32


def absmax(w, bits: int, group: int | None):
    """Symmetric absmax quantisation and back: one scale for ``w``, or one per ``group`` weights."""
    import torch

    qmax = 2 ** (bits - 1) - 1
    blocks = w.reshape(1, -1) if group is None else w.reshape(-1, group)
    scale = blocks.abs().amax(dim=1, keepdim=True) / qmax
    scale[scale == 0] = 1.0          # an all-zero block stays zero
    return (torch.round(blocks / scale).clamp(-qmax, qmax) * scale).reshape(w.shape)


def relative_error(model, bits: int, group: int | None) -> float:
    """q2's reconstruction error (``efficiency.weight_stats``) of a copy with every block linear quantised."""
    import copy

    import torch

    quantised = copy.deepcopy(model)
    with torch.no_grad():
        for _, layer in efficiency.block_linears(quantised):
            layer.weight.copy_(absmax(layer.weight, bits, group))
    return efficiency.weight_stats(quantised, model)["relative_error"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", help="tiny-flan model folders (default: the zoo's)")
    args = ap.parse_args()
    print(f"{'build':<48}{'bits':>5}{'per tensor':>12}{'per group':>11}{'ratio':>7}")
    for folder in args.folders or [str(zoo.path("tiny-flan"))]:
        model, _ = zoo.load(folder)
        for bits in (4, 3):
            tensor, grouped = relative_error(model, bits, None), relative_error(model, bits, GROUP)
            print(f"{Path(folder).name[:47]:<48}{bits:>5}{tensor:>12.5f}{grouped:>11.5f}{tensor / grouped:>7.2f}")


if __name__ == "__main__":
    main()
