"""Small, deterministic training loops used to build the model zoo and by reference solutions.

Students use ``transformers.Trainer`` / trl in the labs; these loops exist because the zoo
must build in minutes on two CPU cores, reproducibly: no dataloader workers, a fixed batch
order from the seed, length-bucketed batches to avoid padding waste.
"""

from __future__ import annotations

import math
import random
import time
from typing import Callable, Iterator

import torch


def bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random, bucket: int = 50) -> Iterator[list[int]]:
    """Endless batches of indices; within each window of ``bucket`` batches, similar lengths
    go together (less padding), and the batch order is shuffled from ``rng``."""
    while True:
        order = list(range(len(lengths)))
        rng.shuffle(order)
        window = batch_size * bucket
        for start in range(0, len(order), window):
            chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
            batches = [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
            rng.shuffle(batches)
            yield from batches


def pad_stack(seqs: list[list[int]], pad_id: int, left: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for row, s in enumerate(seqs):
        if left:
            ids[row, width - len(s):] = torch.tensor(s)
            mask[row, width - len(s):] = 1
        else:
            ids[row, :len(s)] = torch.tensor(s)
            mask[row, :len(s)] = 1
    return ids, mask


def linear_warmup_cosine(step: int, total: int, warmup: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def row_weighted_loss(power: float) -> Callable:
    """A seq2seq loss where each row's mean token loss counts with weight ``len ** (1 - power)``:
    ``power=0`` is the usual mean over tokens (a 40-token summary outweighs a 2-token answer
    20 times), ``power=1`` the mean over rows (each row counts once). For measuring what a
    recipe buys (``benchmarks/lesson_robustness.py --recipe row_loss=0.5``)."""
    import torch.nn.functional as F

    def loss(model, batch: dict) -> torch.Tensor:
        labels = batch["labels"]
        logits = model(**batch).logits
        per_token = F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=-100, reduction="none")
        mask = (labels != -100).float()
        n = mask.sum(1).clamp(min=1)
        weight = n ** (1 - power)
        return ((per_token * mask).sum(1) / n * weight).sum() / weight.sum()

    return loss


def train_loop(
    model: torch.nn.Module,
    make_batch: Callable[[list[int]], dict],
    lengths: list[int],
    *,
    steps: int,
    batch_size: int,
    lr: float,
    seed: int,
    warmup: int = 20,
    weight_decay: float = 0.01,
    params=None,
    time_limit_s: float | None = None,
    log_every: int = 50,
    log: Callable[[str], None] | None = None,
    loss_fn: Callable | None = None,
) -> list[float]:
    """Train ``model`` for ``steps`` (or until ``time_limit_s``); returns the loss per step."""
    rng = random.Random(seed)
    torch.manual_seed(seed)
    params = [p for p in (params if params is not None else model.parameters()) if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: linear_warmup_cosine(s, steps, warmup))
    model.train()
    losses, start = [], time.perf_counter()
    batches = bucketed_batches(lengths, batch_size, rng)
    for step in range(steps):
        batch = make_batch(next(batches))
        loss = loss_fn(model, batch) if loss_fn is not None else model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if log and (step + 1) % log_every == 0:
            recent = sum(losses[-log_every:]) / log_every
            log(f"step {step + 1}/{steps} loss {recent:.3f} ({time.perf_counter() - start:.0f}s)")
        if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
            break
    model.eval()
    return losses


def seq2seq_batcher(tokenizer, sources: list[str], targets: list[str], max_source: int = 512, max_target: int = 96):
    """Tokenise once; return (make_batch, lengths) for ``train_loop`` with label masking."""
    src = tokenizer(sources, truncation=True, max_length=max_source)["input_ids"]
    tgt = tokenizer(targets, truncation=True, max_length=max_target)["input_ids"]
    pad = tokenizer.pad_token_id

    def make_batch(idx: list[int]) -> dict:
        ids, mask = pad_stack([src[i] for i in idx], pad)
        labels, _ = pad_stack([tgt[i] for i in idx], -100)   # -100: padding is not predicted
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    return make_batch, [len(s) for s in src]


def causal_lm_batcher(tokenizer, texts: list[str], max_length: int = 128):
    """Right-padded causal LM batches with -100 on padding."""
    seqs = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    seqs = [s + [eos] for s in seqs]

    def make_batch(idx: list[int]) -> dict:
        ids, mask = pad_stack([seqs[i] for i in idx], pad)
        labels = ids.masked_fill(mask == 0, -100)
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    return make_batch, [len(s) for s in seqs]
