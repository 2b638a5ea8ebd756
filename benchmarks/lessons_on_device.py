"""01-prompting's lessons when a student runs the zoo's tiny-flan on a GPU.

    python benchmarks/lessons_on_device.py [--device cuda] [--flan FOLDER] [--n-eval 100] [--json FILE]

A student installs the release's zoo pack, so the weights are the grader's on every machine;
what a GPU changes is the kernels that run them. This measures dialogsum test[:n] ROUGE-L
zero-shot, one-shot, two-shot and with the model's own template, with the same weights on the
CPU (the pinned kernels ``course`` grades with) and on ``--device``, and prints each lesson's
effect on both next to the bar issue 29 sets, and how many greedy summaries the two devices
write word for word alike. ``--device cpu`` runs the CPU alone (a machine without a GPU).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from course_lib import numerics  # noqa: E402

numerics.pin()      # the CPU figures are the grader's kernels', set before torch computes


def measure(model, tok, test: list[dict], train: list[dict], device: str) -> tuple[dict, dict, float]:
    """ROUGE-L per prompt and the summaries, on ``device``; and the seconds it took."""
    from course_lib import lessons

    t0 = time.perf_counter()
    found = lessons.prompting_rouge_l(model, tok, test, train, device=device)
    return ({n: score for n, (score, _) in found.items()}, {n: preds for n, (_, preds) in found.items()},
            time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--flan", help="a tiny-flan folder (default: the zoo's)")
    ap.add_argument("--n-eval", type=int, default=100)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()

    import torch
    import transformers
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    from course_lib import data
    from course_lib.models import zoo
    from course_lib.lessons import PROMPTING
    from lesson_robustness import BARS, effects

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit(f"--device {args.device}: torch {torch.__version__} sees no CUDA device here")
    folder = Path(args.flan) if args.flan else zoo.path("tiny-flan")
    if not (folder / "config.json").exists():
        raise SystemExit(f"{folder}: not a tiny-flan folder (no config.json)")
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = T5ForConditionalGeneration.from_pretrained(str(folder)).eval()
    ds = data.generate("dialogsum")
    test, train = ds["test"][: args.n_eval], ds["train"]

    where = {"cpu": f"{numerics.cpu_name()}, {numerics.capability()} kernels"}
    devices = ["cpu"] if args.device == "cpu" else ["cpu", args.device]
    if args.device != "cpu":
        where[args.device] = torch.cuda.get_device_name(torch.device(args.device))
    tf32 = f"; TF32 matmul {torch.backends.cuda.matmul.allow_tf32}" if args.device != "cpu" else ""
    print(f"tiny-flan {zoo.weights_sha256(folder)[:12]} ({folder}); torch {torch.__version__}, "
          f"transformers {transformers.__version__}, Python {platform.python_version()}{tf32}")
    runs = {}
    for device in devices:
        scores, summaries, seconds = measure(model, tok, test, train, device)
        runs[device] = {"scores": scores, "summaries": summaries, "seconds": seconds}
        print(f"{device:<6} {where[device]}: {seconds:.1f} s")

    print(f"\n{f'dialogsum test[:{len(test)}] ROUGE-L':<35}" + "".join(f"{d:>10}" for d in devices)
          + ("   summaries alike" if len(devices) > 1 else ""))
    for name in PROMPTING:
        row = "".join(f"{runs[d]['scores'][name]:>10.3f}" for d in devices)
        if len(devices) > 1:
            alike = sum(a == b for a, b in zip(*(runs[d]["summaries"][name] for d in devices)))
            row += f"   {alike} / {len(test)}"
        print(f"  {name:<33}{row}")
    print(f"{'effect (bar)':<35}" + "".join(f"{d:>10}" for d in devices))
    effect = {d: effects(runs[d]["scores"]) for d in devices}
    for name, bar in BARS.items():
        if name in effect["cpu"]:
            values = [effect[d][name] for d in devices]
            row = "".join(f"{v:>+10.3f}" for v in values)
            print(f"  {name:<24}{f'({bar:+.2f})':<9}{row}   {'all clear' if min(values) >= bar else 'NOT MET'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"where": where, "torch": torch.__version__,
                                               "transformers": transformers.__version__, **runs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
