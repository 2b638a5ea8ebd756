"""tiny-gpt: a GPT-2-style causal LM for the decoding warm-up and the RLHF / DPO lab.

trl 1.16's DPO, GRPO and RLOO trainers take decoder-only models, so the alignment lab
needs one. It is pre-trained on short support-desk exchanges whose replies are polite or
rude about half the time each (``course_lib.data.preferences.lm_corpus``), so its
continuations are often toxic: the raw material that RL and DPO then fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import torch

from course_lib.training import causal_lm_batcher, train_loop

RECIPE = {
    "version": 1, "seed": 4321,
    "n_embd": 128, "n_layer": 2, "n_head": 4, "n_positions": 256,
    "steps": 300, "batch_size": 32, "lr": 3e-3, "warmup": 30,
}


def build(out: Path, tokenizer_dir: Path, log: Callable[[str], None] = print, recipe: dict = RECIPE) -> dict:
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    from course_lib.data.preferences import lm_corpus

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    torch.manual_seed(recipe["seed"])
    cfg = GPT2Config(vocab_size=len(tok), n_embd=recipe["n_embd"], n_layer=recipe["n_layer"], n_head=recipe["n_head"],
                     n_positions=recipe["n_positions"], bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id,
                     pad_token_id=tok.pad_token_id, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(cfg)
    texts = lm_corpus()
    make_batch, lengths = causal_lm_batcher(tok, texts, max_length=recipe["n_positions"] - 1)
    losses = train_loop(model, make_batch, lengths, steps=recipe["steps"], batch_size=recipe["batch_size"],
                        lr=recipe["lr"], seed=recipe["seed"], warmup=recipe["warmup"], log=log, log_every=100)
    model.generation_config.pad_token_id = tok.pad_token_id
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return {"final_train_loss": round(sum(losses[-50:]) / 50, 4), "train_texts": len(texts)}
