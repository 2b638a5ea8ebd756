"""Calibrate tiny-flan: pre-train it, then print every number the course's lessons rest on.

    python benchmarks/calibrate_flan.py [--steps N] [--n-eval 100] [--ft-seconds 60]

Prints zero-shot / no-prompt / own-template / few-shot ROUGE-L on dialogsum test, the lead-20
baseline, topic accuracy (the forgetting probe), then a 60 s full fine-tune and a 60 s LoRA
(q, v; r=8) fine-tune with their ROUGE-L, topic accuracy and trainable share.
"""

from __future__ import annotations

import argparse
import copy
import random
import tempfile
import time
from pathlib import Path

import torch


def rouge_l(preds, refs):
    from rouge_score import rouge_scorer

    sc = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return sum(sc.score(r, p)["rougeL"].fmeasure for p, r in zip(preds, refs)) / len(refs)


def generate(model, tok, prompts, max_new_tokens=64, batch=32):
    out = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(prompts), batch):
            enc = tok(prompts[i:i + batch], return_tensors="pt", padding=True, truncation=True, max_length=768)
            ids = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1)
            out += tok.batch_decode(ids, skip_special_tokens=True)
    return [o.strip() for o in out]


def evaluate(model, tok, test, topics, train, label, rng_seed=0):
    from course_lib.data.instructions import OWN_TEMPLATE, TOPIC_PROMPT, summary_prompt

    refs = [r["summary"] for r in test]
    res = {}
    preds = generate(model, tok, [summary_prompt(r["dialogue"]) for r in test])
    res["zero_shot"] = rouge_l(preds, refs)
    res["non_empty"] = sum(bool(p) for p in preds) / len(preds)
    res["no_prompt"] = rouge_l(generate(model, tok, [r["dialogue"] for r in test]), refs)
    res["own_template"] = rouge_l(generate(model, tok, [OWN_TEMPLATE.format(dialogue=r["dialogue"]) for r in test]), refs)
    rng = random.Random(rng_seed)
    for k in (1, 2):
        prompts = [summary_prompt(r["dialogue"], [(e["dialogue"], e["summary"]) for e in rng.sample(train, k)]) for r in test]
        res[f"{k}_shot"] = rouge_l(generate(model, tok, prompts), refs)
    tp = generate(model, tok, [TOPIC_PROMPT.format(dialogue=r["dialogue"]) for r in topics], max_new_tokens=12)
    res["topic_acc"] = sum(p == r["topic"] for p, r in zip(tp, topics)) / len(topics)
    print(f"[{label}] " + "  ".join(f"{k}={v:.3f}" for k, v in res.items()), flush=True)
    print(f"   sample: {preds[0]!r}\n   ref:    {refs[0]!r}", flush=True)
    return res


def finetune(model, tok, train, seconds, lr, params=None, seed=0):
    from course_lib.data.instructions import summary_prompt
    from course_lib.training import seq2seq_batcher, train_loop

    mb, L = seq2seq_batcher(tok, [summary_prompt(r["dialogue"]) for r in train], [r["summary"] for r in train])
    t = time.perf_counter()
    losses = train_loop(model, mb, L, steps=100000, batch_size=16, lr=lr, seed=seed, warmup=20,
                        params=params, time_limit_s=seconds)
    return len(losses), time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--n-eval", type=int, default=100)
    ap.add_argument("--ft-seconds", type=float, default=60)
    ap.add_argument("--ft-lr", type=float, default=1e-3)
    ap.add_argument("--lora-lr", type=float, default=5e-3)
    ap.add_argument("--model-dir", default=None, help="reuse a pre-trained tiny-flan folder")
    args = ap.parse_args()
    torch.set_num_threads(2)
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    from course_lib import data
    from course_lib.models import flan
    from course_lib.models.tokenizer import save_variants
    from course_lib.models.zoo import corpus_tokenizer

    ds = data.generate("dialogsum")
    test, train = ds["test"][: args.n_eval], ds["train"]
    topics = data.generate("dialog_topics")["test"][: args.n_eval]
    lead = rouge_l([" ".join(r["dialogue"].split()[:20]) for r in test], [r["summary"] for r in test])
    print(f"lead-20 baseline ROUGE-L {lead:.3f}")
    if args.model_dir:
        out = Path(args.model_dir)
    else:
        work = Path(tempfile.mkdtemp())
        save_variants(corpus_tokenizer(["dialogsum", "instructions", "dialog_topics"]), {"t5": work / "tok"})
        recipe = dict(flan.RECIPE, **({"steps": args.steps} if args.steps else {}))
        t = time.perf_counter()
        out = work / "tiny-flan"
        print(flan.build(out, work / "tok", recipe=recipe), f"pretrain {time.perf_counter() - t:.0f}s", flush=True)
    tok = AutoTokenizer.from_pretrained(str(out))
    base = T5ForConditionalGeneration.from_pretrained(str(out))
    evaluate(base, tok, test, topics, train, "base")

    full = copy.deepcopy(base)
    steps, secs = finetune(full, tok, train, args.ft_seconds, args.ft_lr)
    print(f"full FT: {steps} steps in {secs:.0f}s")
    evaluate(full, tok, test, topics, train, "full-FT")

    from peft import LoraConfig, get_peft_model

    lora = get_peft_model(copy.deepcopy(base), LoraConfig(r=8, lora_alpha=16, target_modules=["q", "v"], lora_dropout=0.0))
    trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    total = sum(p.numel() for p in lora.parameters())
    steps, secs = finetune(lora, tok, train, args.ft_seconds, args.lora_lr)
    print(f"LoRA q,v r=8: {trainable} trainable of {total} ({100 * trainable / total:.2f}%), {steps} steps in {secs:.0f}s")
    evaluate(lora, tok, test, topics, train, "LoRA")


if __name__ == "__main__":
    main()
