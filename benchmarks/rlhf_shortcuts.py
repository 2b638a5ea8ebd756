"""Can a shortcut pass 04-rlhf's policy tests? Sharpened tiny-gpt (no training) against the trained policies.

    python benchmarks/rlhf_shortcuts.py [--work DIR]

Runs the lab's solution (``solutions/lab_04_rlhf.py``) in a work folder, which trains and saves
``rl_policy/`` and ``dpo_policy/`` (about three minutes on one core), then measures, as the hidden
tests do, those policies and copies of tiny-gpt whose logits are divided by a temperature T (the
last layer norm rescaled: one cell, no training): mean toxicity of sampled replies and KL to
tiny-gpt on the held-out RL prompts (q3), DPO's implicit reward margin on 64 held-out pairs (q4),
the next-token entropy on those pairs' chosen replies over tiny-gpt's (``rlhf.reply_entropy``),
and the share of tiny-gpt's weight tensors the model changed (``rlhf.changed_share``). The lab's
bars: toxicity <= 0.7 x tiny-gpt's, margin >= 1.0 and >= half the reference's, entropy >= 0.8 x,
changed >= 90 %.
"""

from __future__ import annotations

import argparse
import copy
import os
import runpy
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def sharpened(model, temperature: float):
    import torch

    m = copy.deepcopy(model)
    with torch.no_grad():
        m.transformer.ln_f.weight.mul_(1 / temperature)
        m.transformer.ln_f.bias.mul_(1 / temperature)
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", help="folder to run the solution in (kept); default: a temporary one")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="rlhf-shortcuts-"))
    work.mkdir(parents=True, exist_ok=True)
    os.chdir(work)
    if not (work / "dpo_policy").is_dir():
        print(f"running the 04-rlhf solution in {work} ...", flush=True)
        runpy.run_path(str(REPO / "solutions" / "lab_04_rlhf.py"), run_name="__main__")

    import torch

    from course_lib import data, rlhf
    from course_lib.models import zoo

    torch.set_num_threads(1)
    base, tok = zoo.load("tiny-gpt")
    pairs = data.generate("preferences")["test"][:64]
    base_entropy = rlhf.reply_entropy(base, tok, pairs)
    models = {"tiny-gpt": base, **{f"sharpened T={t}": sharpened(base, t) for t in (0.9, 0.8, 0.7, 0.6, 0.5)},
              "rl_policy (GRPO)": rlhf.load_saved(work / "rl_policy")[0],
              "dpo_policy (DPO)": rlhf.load_saved(work / "dpo_policy")[0]}
    print(f"{'model':<20}{'toxicity':>9}{'KL':>7}{'margin':>8}{'entropy x':>11}{'changed':>9}")
    for name, model in models.items():
        policy = rlhf.evaluate_policy(model, base, tok)
        print(f"{name:<20}{policy['toxicity']:>9.3f}{policy['kl']:>7.2f}"
              f"{rlhf.preference_margin(model, base, tok, pairs):>8.2f}"
              f"{rlhf.reply_entropy(model, tok, pairs) / base_entropy:>11.2f}{rlhf.changed_share(model):>9.0%}",
              flush=True)


if __name__ == "__main__":
    main()
