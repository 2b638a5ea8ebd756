"""The measurements the course's lessons rest on, shared by tests, benchmarks and solutions.

Zero-shot vs few-shot vs fine-tuned summaries of ``dialogsum``, the lead-20 baseline, the
topic-classification probe for catastrophic forgetting, and the small fine-tuning loop the
zoo's acceptance tests use (a fixed number of steps, so results do not depend on how busy
the machine is; ``benchmarks/calibrate_flan.py`` prints the seconds).
"""

from __future__ import annotations

import random

from course_lib.data.instructions import OWN_TEMPLATE, TOPIC_PROMPT, summary_prompt

FT_STEPS = 240          # ~60 s of full fine-tuning of tiny-flan on two cores
FT_LR = 1e-3
LORA_LR = 6e-3
# the zoo's LoRA lesson (tests/test_zoo.py and the benchmarks): rank 5 on every linear layer, 3.9 %
# of tiny-flan trains. On recipe 4 LoRA on q and v alone (r=16, 3.2 %) keeps 0.74-0.78 of the full
# fine-tune's gain (ROUGE-L 0.19 -> ~0.78); every linear layer keeps 0.845 or more (README)
LORA = {"r": 5, "lora_alpha": 10, "target_modules": ["q", "k", "v", "o", "wi_0", "wi_1", "wo"]}


def greedy(model, tokenizer, prompts: list[str], max_new_tokens: int = 64, batch_size: int = 32,
           device: str = "cpu") -> list[str]:
    from course_lib.generation import generate, greedy_config

    cfg = greedy_config(max_new_tokens=max_new_tokens, model=model, tokenizer=tokenizer)
    return [p.strip() for p in generate(model, tokenizer, prompts, cfg, batch_size=batch_size, device=device)]


def rouge_l(predictions: list[str], references: list[str]) -> float:
    from course_lib.metrics import rouge_l_f1

    return sum(rouge_l_f1(p, r) for p, r in zip(predictions, references)) / len(references)


def lead_words(dialogue: str, n: int = 20) -> str:
    """The lead-n baseline: the first ``n`` words of the dialogue, as a 'summary'."""
    return " ".join(dialogue.split()[:n])


def prompts(rows: list[dict], style: str, examples: list[dict] | None = None, k: int = 2, seed: int = 0) -> list[str]:
    """Summarisation prompts: ``zero_shot``, ``no_prompt``, ``own_template`` or ``few_shot``."""
    if style == "zero_shot":
        return [summary_prompt(r["dialogue"]) for r in rows]
    if style == "no_prompt":
        return [r["dialogue"] for r in rows]
    if style == "own_template":
        return [OWN_TEMPLATE.format(dialogue=r["dialogue"]) for r in rows]
    if style == "few_shot":
        rng = random.Random(seed)
        return [summary_prompt(r["dialogue"], [(e["dialogue"], e["summary"]) for e in rng.sample(examples, k)])
                for r in rows]
    raise ValueError(f"unknown prompt style {style!r}")


def lora_model(model, **overrides):
    """``model`` wrapped with the LoRA adapters of ``LORA`` (keys in ``overrides`` replace its own)."""
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(**{**LORA, **overrides}))


def summary_rouge_l(model, tokenizer, rows: list[dict], style: str = "zero_shot", device: str = "cpu",
                    **kw) -> tuple[float, list[str]]:
    preds = greedy(model, tokenizer, prompts(rows, style, **kw), device=device)
    return rouge_l(preds, [r["summary"] for r in rows]), preds


# 01-prompting's lessons: name -> how ``prompts`` builds them (few-shot with k worked examples)
PROMPTING = {"zero_shot": {"style": "zero_shot"}, "one_shot": {"style": "few_shot", "k": 1},
             "few_shot": {"style": "few_shot", "k": 2}, "own_template": {"style": "own_template"}}


def prompting_rouge_l(model, tokenizer, rows: list[dict], examples: list[dict],
                      device: str = "cpu") -> dict[str, tuple[float, list[str]]]:
    """``summary_rouge_l`` for each of ``PROMPTING``'s prompts, worked examples drawn from ``examples``."""
    return {name: summary_rouge_l(model, tokenizer, rows, how["style"], device=device,
                                  **({"examples": examples, "k": how["k"]} if "k" in how else {}))
            for name, how in PROMPTING.items()}


def topic_accuracy(model, tokenizer, rows: list[dict]) -> float:
    preds = greedy(model, tokenizer, [TOPIC_PROMPT.format(dialogue=r["dialogue"]) for r in rows], max_new_tokens=12)
    return sum(p == r["topic"] for p, r in zip(preds, rows)) / len(rows)


def finetune_summarizer(model, tokenizer, rows: list[dict], steps: int = FT_STEPS, lr: float = FT_LR,
                        batch_size: int = 16, seed: int = 0, time_limit_s: float | None = None) -> list[float]:
    """Supervised fine-tuning on zero-shot-prompt -> summary pairs; returns the losses."""
    from course_lib.training import seq2seq_batcher, train_loop

    make_batch, lengths = seq2seq_batcher(tokenizer, prompts(rows, "zero_shot"), [r["summary"] for r in rows])
    return train_loop(model, make_batch, lengths, steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                      warmup=20, time_limit_s=time_limit_s)
