"""Pre-training at the scale of one CPU thread, for 06-pretraining (``benchmarks/isoflop_sweep.py``
measures what its sweep shows on several seeds).

* ``corpus()``: the knowledge-base passages and the dialogsum training dialogues as characters,
  split 90/10 by document with a fixed seed. Characters, not the course tokenizer: with its 4,099
  tokens the output layer would cost more than every block of a 16-wide model, and a sweep over
  model sizes would mostly measure the vocabulary.
* ``train(width, layers, steps)``: a GPT-2 of that shape trained for ``steps`` batches of ``BATCH``
  windows of ``CONTEXT`` characters drawn with a seeded generator, AdamW with warm-up and cosine
  decay; returns ``N`` (every parameter but the position embeddings, the ``N`` of ``C = 6 N D``),
  ``D``, the held-out loss and the seconds. How many steps a compute budget buys, and the fit of
  the losses, are the lab's questions (06-pretraining q3), not this module's.
* ``GRID``: the lab's IsoFLOP grid, widths per budget chosen so that each budget's best width has a
  neighbour on both sides (a grid shared by every budget puts the low budgets' best at its edge).
* Continued pre-training of tiny-gpt on the knowledge base (q5): ``kb_passages()`` (every tenth
  passage held out), ``support_desk_texts()`` (the other domain, for forgetting),
  ``token_losses`` and ``continue_pretraining`` (a fixed recipe on ``course_lib.training``'s loop).

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
GRID = {1e10: (6, 8, 12, 16), 3e10: (8, 12, 16, 24), 1e11: (12, 16, 24, 32)}
# continued pre-training: about ten passes over the knowledge base's 119 blocks of 128 tokens
CPT_RECIPE = {"steps": 40, "batch_size": 16, "lr": 1e-3, "warmup": 5, "seed": 0}


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


@lru_cache(maxsize=1)
def _train_tensor():
    """The training split as one tensor, built once: a sweep trains many models on it."""
    import torch

    return torch.tensor(corpus()[0])


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


def train(width: int, layers: int, steps: int, seed: int = 0, batch: int = BATCH) -> dict:
    """Train a fresh ``model(width, layers, seed)`` for ``steps`` steps of ``batch`` windows of
    ``CONTEXT`` characters (drawn with a generator seeded by ``seed``); its figures: ``N``
    (``parameters``), ``D`` (characters seen), ``steps``, ``val_loss`` and ``seconds``.

    One thread: the sweep must give the same losses in the notebook and when the grader re-trains
    a point (a different thread count changes the sums' order, and training amplifies it)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        lm = model(width, layers, seed)
        train_ids = _train_tensor()
        offsets = torch.arange(CONTEXT)
        # fused AdamW: the same update in one kernel, a tenth faster on these tiny models
        opt = torch.optim.AdamW(lm.parameters(), lr=LR, weight_decay=0.0, fused=True)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min(1.0, (s + 1) / WARMUP) * (0.1 + 0.45 * (1 + math.cos(math.pi * min(1.0, s / steps)))))
        generator = torch.Generator().manual_seed(seed)
        start = time.perf_counter()
        lm.train()
        for _ in range(steps):
            starts = torch.randint(len(train_ids) - CONTEXT, (batch,), generator=generator)
            x = train_ids[starts[:, None] + offsets]
            lm(input_ids=x, labels=x).loss.backward()
            opt.step()
            schedule.step()
            opt.zero_grad(set_to_none=True)
        return {"width": width, "layers": layers, "N": parameters(lm), "D": steps * batch * CONTEXT, "steps": steps,
                "val_loss": validation_loss(lm), "seconds": time.perf_counter() - start}
    finally:
        torch.set_num_threads(threads)


def kb_passages() -> tuple[list[str], list[str]]:
    """``(train, held_out)``: the knowledge base's passages, every tenth held out (36 of 352)."""
    from course_lib import data

    texts = [p["text"] for p in data.rows("kb_passages", "corpus")]
    return [t for i, t in enumerate(texts) if i % 10], [t for i, t in enumerate(texts) if i % 10 == 0]


def support_desk_texts(n: int = 60) -> list[str]:
    """Support-desk exchanges tiny-gpt was never trained on (preference validation prompts with their
    polite replies): the domain it came from, to measure what continued pre-training forgets."""
    from course_lib import data

    return [r["prompt"] + r["chosen"] for r in data.rows("preferences", "validation")[:n]]


def token_losses(model, ids: list[int]) -> list[float]:
    """The loss (negative log-likelihood, nats) of each token of ``ids`` after the first, given the
    tokens before it: ``len(ids) - 1`` numbers."""
    import torch

    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0, :-1]
    return torch.nn.functional.cross_entropy(logits, torch.tensor(ids[1:]), reduction="none").tolist()


def continue_pretraining(model, blocks: list[list[int]], recipe: dict = CPT_RECIPE) -> list[float]:
    """Train ``model`` in place on ``blocks`` (equal-length token lists) with ``recipe``; the loss per step."""
    import torch

    from course_lib.training import train_loop

    def make_batch(idx: list[int]) -> dict:
        x = torch.tensor([blocks[i] for i in idx])
        return {"input_ids": x, "labels": x}

    return train_loop(model, make_batch, [len(b) for b in blocks], steps=recipe["steps"], batch_size=recipe["batch_size"],
                      lr=recipe["lr"], seed=recipe["seed"], warmup=recipe["warmup"])
