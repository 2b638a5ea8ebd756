"""Calibrate tiny-flan: pre-train it, then print every number the course's lessons rest on.

    python benchmarks/calibrate_flan.py [--steps N] [--n-eval 100] [--model-dir DIR]

Prints zero-shot / no-prompt / own-template / few-shot ROUGE-L on dialogsum test, the lead-20
baseline, topic accuracy (the forgetting probe), then a full fine-tune and a LoRA (q, v;
r=16) fine-tune of ``lessons.FT_STEPS`` steps each, with their seconds, ROUGE-L, topic
accuracy and trainable share. THREADS=1 in the environment runs single-threaded.
"""

from __future__ import annotations

import argparse
import copy
import os
import tempfile
import time
from pathlib import Path

from course_lib import numerics

numerics.pin()      # the kernels the zoo is built and graded with, before torch computes
import torch  # noqa: E402

from course_lib import lessons  # noqa: E402


def evaluate(model, tok, test, topics, train, label):
    res = {"zero_shot": lessons.summary_rouge_l(model, tok, test)[0]}
    preds = lessons.greedy(model, tok, lessons.prompts(test, "zero_shot"))
    res["non_empty"] = sum(len(p.split()) >= 3 for p in preds) / len(preds)
    for style in ("no_prompt", "own_template"):
        res[style] = lessons.summary_rouge_l(model, tok, test, style)[0]
    for k in (1, 2):
        res[f"{k}_shot"] = lessons.summary_rouge_l(model, tok, test, "few_shot", examples=train, k=k)[0]
    res["topic_acc"] = lessons.topic_accuracy(model, tok, topics)
    print(f"[{label}] " + "  ".join(f"{k}={v:.3f}" for k, v in res.items()), flush=True)
    print(f"   sample: {preds[0]!r}\n   ref:    {test[0]['summary']!r}", flush=True)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=None, help="pre-training steps (default: the recipe's)")
    ap.add_argument("--n-eval", type=int, default=100)
    ap.add_argument("--model-dir", default=None, help="reuse a pre-trained tiny-flan folder")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    from course_lib import data
    from course_lib.models import flan, zoo
    from course_lib.models.tokenizer import save_variants

    ds = data.generate("dialogsum")
    test, train = ds["test"][: args.n_eval], ds["train"]
    topics = data.generate("dialog_topics")["test"][: args.n_eval]
    lead = lessons.rouge_l([lessons.lead_words(r["dialogue"]) for r in test], [r["summary"] for r in test])
    print(f"lead-20 baseline ROUGE-L {lead:.3f}", flush=True)
    if args.model_dir:
        out = Path(args.model_dir)
    else:
        work = Path(tempfile.mkdtemp())
        save_variants(zoo.corpus_tokenizer(), {"t5": work / "tok"})
        recipe = dict(flan.RECIPE, **({"steps": args.steps} if args.steps else {}))
        start = time.perf_counter()
        out = work / "tiny-flan"
        print(flan.build(out, work / "tok", recipe=recipe), f"pretrain {time.perf_counter() - start:.0f}s", flush=True)
    tok = AutoTokenizer.from_pretrained(str(out))
    base = T5ForConditionalGeneration.from_pretrained(str(out))
    evaluate(base, tok, test, topics, train, "base")

    full = copy.deepcopy(base)
    start = time.perf_counter()
    lessons.finetune_summarizer(full, tok, train)
    print(f"full FT: {lessons.FT_STEPS} steps in {time.perf_counter() - start:.0f}s", flush=True)
    evaluate(full, tok, test, topics, train, "full-FT")

    lora = lessons.lora_model(copy.deepcopy(base))
    trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    total = sum(p.numel() for p in lora.parameters())
    start = time.perf_counter()
    lessons.finetune_summarizer(lora, tok, train, lr=lessons.LORA_LR)
    print(f"LoRA {lessons.LORA}: {trainable} of {total} trainable ({100 * trainable / total:.2f}%), "
          f"{lessons.FT_STEPS} steps in {time.perf_counter() - start:.0f}s", flush=True)
    evaluate(lora, tok, test, topics, train, "LoRA")


if __name__ == "__main__":
    main()
