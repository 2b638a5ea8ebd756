"""tiny-flan: a T5-family seq2seq model pre-trained on span corruption, instructions and reading drills.

The course's labs use FLAN-T5. tiny-flan reproduces what matters for the lessons at 1-2 M
parameters: it follows instructions it was trained on (``course_lib.data.instructions``),
gives short, gist-only zero-shot summaries, gets better with worked examples in the prompt
or with its own detailed-summary template, and improves clearly with fine-tuning, full or
LoRA. It never sees a ``dialogsum`` dialogue in pre-training. The reading drills from renamed
knowledge-base worlds in its mix (``course_lib.data.reading_drills``) are what lets 05-rag's
grounded answers beat closed-book ones. (Drills as a first stage of their own taught reading as
well, but cost the worked examples their effect: one-shot ROUGE-L 0.21 against zero-shot 0.19.)
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

import torch

from course_lib.models.denoising import span_corrupt
from course_lib.training import row_weighted_loss, seq2seq_batcher, train_loop

RECIPE = {
    "version": 4,
    "seed": 1234,
    "d_model": 128, "d_ff": 384, "num_layers": 2, "num_heads": 4, "d_kv": 32,
    # T5 v1.0's output scaling (the decoder's output times d_model**-0.5 before the shared
    # embeddings score it) with full-size embeddings: recipe 3 shrank the embeddings instead and
    # learnt to copy an answer out of its context far later (README, issue 29)
    "scale_output": True,
    "rel_max_distance": 512,        # two-shot prompts run to ~330 tokens; 128 blurs their positions
    # the instruction mix (course_lib.data.instructions), 1,500 more two-example few-shot rows (the
    # mix has ~360) and reading drills from renamed worlds (course_lib.data.reading_drills) in
    # place of its reading rows about the real knowledge base: drills are ~64 % of the rows (recipe
    # 3: 45 %), hence 3,600 steps
    "steps": 3600, "batch_size": 16, "lr": 1e-3, "warmup": 40,
    "mix_drills": 20000,
    "mix_two_shot": 1500,
    "mix_reading_kinds": {"sentence": 0.3, "chunks": 0.4, "distractors": 0.15, "passage": 0.15},
    "denoise_share": 0.10,          # fraction of training rows that are span corruption
}
# row_loss, a key an experiment may add (``benchmarks/lesson_robustness.py --recipe KEY=VALUE``):
# see ``course_lib.training.row_weighted_loss``. Recipe 3 is ``--recipe scale_output=false
# rel_max_distance=128 steps=2000 mix_drills=7200 mix_two_shot=0``.


def config(tokenizer, recipe: dict = RECIPE):
    from transformers import T5Config

    # transformers ties T5's LM head to the shared embeddings whatever tie_word_embeddings says; the
    # flag only decides whether the decoder's output is scaled by d_model**-0.5 (T5 v1.0) or not
    return T5Config(
        vocab_size=len(tokenizer), d_model=recipe["d_model"], d_kv=recipe["d_kv"], d_ff=recipe["d_ff"],
        num_layers=recipe["num_layers"], num_decoder_layers=recipe["num_layers"], num_heads=recipe["num_heads"],
        relative_attention_num_buckets=32, relative_attention_max_distance=recipe.get("rel_max_distance", 128),
        dropout_rate=0.0, feed_forward_proj="gated-gelu", tie_word_embeddings=recipe.get("scale_output", False),
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )


def pretraining_rows(tokenizer, recipe: dict = RECIPE) -> tuple[list[str], list[str]]:
    """Instruction rows, reading drills and span-corrupted texts, as (sources, targets) strings.
    The mix's own reading rows (``context_qa``, real training questions) are left out: a fact
    learnt by heart is no help to a reader."""
    from course_lib import data
    from course_lib.data import instructions, reading_drills

    pool = instructions.dialogue_pool()
    inst = [r for r in data.generate("instructions")["train"] if r["task"] != "context_qa"]
    drills = reading_drills.drills(recipe["mix_drills"], recipe["seed"] + 2, recipe["mix_reading_kinds"])
    inst += instructions.few_shot_rows(pool, recipe.get("mix_two_shot", 0), 2, recipe["seed"] + 3)
    sources = [r["source"] for r in inst] + [p for p, _ in drills]
    targets = [r["target"] for r in inst] + [a for _, a in drills]
    rng = random.Random(recipe["seed"])
    texts = [d.text() for _, _, d in pool]
    n_denoise = int(len(sources) * recipe["denoise_share"] / (1 - recipe["denoise_share"]))
    sentinels = [tokenizer.convert_tokens_to_ids(f"<extra_id_{i}>") for i in range(32)]
    for text in rng.sample(texts, min(n_denoise, len(texts))):
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        src, tgt = span_corrupt(ids, sentinels, tokenizer.eos_token_id, rng)
        sources.append(tokenizer.decode(src[:-1]))
        targets.append(tokenizer.decode(tgt[:-1]))
    return sources, targets


def fresh_model(tokenizer, recipe: dict = RECIPE):
    """An untrained tiny-flan of ``recipe``'s shape, as its build starts it (seeded by the recipe)."""
    from transformers import T5ForConditionalGeneration

    torch.manual_seed(recipe["seed"])
    model = T5ForConditionalGeneration(config(tokenizer, recipe))
    if not recipe.get("scale_output", False):
        # unscaled, the LM head starts with logits ~sqrt(d_model) too large. transformers ties T5's
        # head to the shared embeddings, so this shrinks the input embeddings as well
        with torch.no_grad():
            model.lm_head.weight.mul_(recipe["d_model"] ** -0.5)
    return model


def build(out: Path, tokenizer_dir: Path, log: Callable[[str], None] = print, recipe: dict = RECIPE) -> dict:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    model = fresh_model(tok, recipe)
    sources, targets = pretraining_rows(tok, recipe)
    make_batch, lengths = seq2seq_batcher(tok, sources, targets)
    loss_fn = row_weighted_loss(recipe["row_loss"]) if "row_loss" in recipe else None
    losses = train_loop(model, make_batch, lengths, steps=recipe["steps"], batch_size=recipe["batch_size"],
                        lr=recipe["lr"], seed=recipe["seed"], warmup=recipe["warmup"], log=log, log_every=100,
                        loss_fn=loss_fn)
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return {"final_train_loss": round(sum(losses[-50:]) / 50, 4), "train_rows": len(sources), **card_metrics(model, tok)}


def card_metrics(model, tok, n: int = 100) -> dict:
    """What the model card reports: ROUGE-L of zero-shot and own-template summaries on the
    first ``n`` test dialogues, and topic accuracy (the forgetting probe)."""
    from course_lib import data, lessons

    test = data.generate("dialogsum")["test"][:n]
    return {
        f"rougeL_zero_shot_test{n}": round(lessons.summary_rouge_l(model, tok, test)[0], 4),
        f"rougeL_own_template_test{n}": round(lessons.summary_rouge_l(model, tok, test, "own_template")[0], 4),
        f"topic_accuracy_test{n}": round(lessons.topic_accuracy(model, tok, data.generate("dialog_topics")["test"][:n]), 4),
    }
