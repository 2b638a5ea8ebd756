"""Pre-training runs small enough for a scaling-law sweep on one CPU thread (groundwork for the
06-pretraining lab; ``benchmarks/isoflop_sweep.py`` measures what it shows).

* ``corpus()``: the knowledge-base passages and the dialogsum training dialogues as characters,
  split 90/10 by document with a fixed seed. Characters, not the course tokenizer: with its 4,099
  tokens the output layer would cost more than every block of a 16-wide model, and a sweep over
  model sizes would mostly measure the vocabulary.
* ``train_run(width, layers, compute)``: a GPT-2 of that shape trained for ``D = compute / (6 N)``
  tokens (Chinchilla's ``C = 6 N D``; ``N`` counts every parameter but the position embeddings),
  in batches of ``BATCH`` windows of ``CONTEXT`` characters drawn with a seeded generator, AdamW
  with warm-up and cosine decay; returns ``N``, ``D``, the steps, the held-out loss and the seconds.
* ``parabola_minimum``: the IsoFLOP fit of one budget, a parabola through the best point of the grid
  and its neighbours.

Deterministic for a given seed on one machine (one thread, no data-loader workers); another CPU's
kernels move the losses in the third decimal, as they move the zoo's weights.
"""

from __future__ import annotations

import math
import random
import time
from functools import lru_cache

CONTEXT, BATCH, LR, WARMUP = 64, 32, 3e-3, 10
VAL_WINDOWS = 128


@lru_cache(maxsize=1)
def corpus() -> tuple[list[int], list[int], tuple[str, ...]]:
    """``(train_ids, val_ids, vocabulary)``: character ids of the two splits, one ``\\n`` after each document."""
    from course_lib import data

    texts = [p["text"] for p in data.rows("kb_passages", "corpus")] + [r["dialogue"] for r in data.rows("dialogsum", "train")]
    vocab = tuple(sorted(set("".join(texts)) | {"\n"}))
    index = {c: i for i, c in enumerate(vocab)}
    order = list(range(len(texts)))
    random.Random(0).shuffle(order)
    cut = int(0.9 * len(order))

    def ids(docs):
        return [index[c] for i in docs for c in texts[i] + "\n"]

    return ids(order[:cut]), ids(order[cut:]), vocab


def model(width: int, layers: int, seed: int = 0):
    """A freshly initialised GPT-2 over the corpus's characters, ``width`` wide (heads of 16)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(corpus()[2]), n_embd=width, n_layer=layers, n_head=max(1, width // 16),
                        n_positions=CONTEXT, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        bos_token_id=0, eos_token_id=0)
    return GPT2LMHeadModel(config)


def parameters(lm) -> int:
    """N of ``C = 6 N D``: every parameter but the position embeddings (the tied output layer once)."""
    return sum(p.numel() for name, p in lm.named_parameters() if "wpe" not in name)


def validation_loss(lm) -> float:
    """Mean next-character loss over the first ``VAL_WINDOWS`` windows of the held-out split."""
    import torch

    val = torch.tensor(corpus()[1])
    windows = min(VAL_WINDOWS, (len(val) - 1) // CONTEXT)
    x = val[: windows * CONTEXT].view(windows, CONTEXT)
    lm.eval()
    with torch.no_grad():
        return float(lm(input_ids=x, labels=x).loss)


def train_run(width: int, layers: int, compute: float, seed: int = 0, batch: int = BATCH) -> dict:
    """Train a fresh ``model(width, layers)`` on ``compute / (6 N)`` tokens, ``batch`` windows a
    step; its figures."""
    import torch

    lm = model(width, layers, seed)
    n = parameters(lm)
    steps = max(1, int(compute / (6 * n) // (batch * CONTEXT)))
    train = torch.tensor(corpus()[0])
    opt = torch.optim.AdamW(lm.parameters(), lr=LR, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / WARMUP) * (0.1 + 0.45 * (1 + math.cos(math.pi * min(1.0, s / steps)))))
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    lm.train()
    for _ in range(steps):
        starts = torch.randint(len(train) - CONTEXT, (batch,), generator=generator)
        x = torch.stack([train[s:s + CONTEXT] for s in starts.tolist()])
        lm(input_ids=x, labels=x).loss.backward()
        opt.step()
        schedule.step()
        opt.zero_grad(set_to_none=True)
    return {"width": width, "layers": layers, "N": n, "D": steps * batch * CONTEXT, "steps": steps,
            "val_loss": validation_loss(lm), "seconds": time.perf_counter() - start}


def parabola_minimum(log_n: list[float], losses: list[float]) -> tuple[float, bool]:
    """``(log N, interior)``: where a parabola through the grid's best point and its two neighbours
    is lowest (the IsoFLOP fit, local so that the far ends of the grid do not bend it), and whether
    the best point had a neighbour on both sides. At an end of the grid, or when the three points
    do not open upwards, the best point itself."""
    import numpy as np

    order = sorted(range(len(log_n)), key=lambda i: log_n[i])
    xs, ys = [log_n[i] for i in order], [losses[i] for i in order]
    best = int(np.argmin(ys))
    if best == 0 or best == len(xs) - 1:
        return float(xs[best]), False
    a, b, _ = np.polyfit(xs[best - 1:best + 2], ys[best - 1:best + 2], 2)
    return (float(-b / (2 * a)) if a > 0 else float(xs[best])), True
