"""Shared pieces of 08-efficient-inference: what the notebook, the reference and the hidden tests
measure the same way.

* ``block_linears(model)``: the linear layers inside a T5's encoder and decoder blocks, the layers
  the lab quantises and prunes. The shared embedding (tied to the output layer) and the layer
  norms stay in float32, as in LLM.int8() and GPTQ.
* ``summarise(model, tokenizer, dialogues)``: greedy summaries with tiny-flan's own template, in
  the input order (one fixed decoding setting, so two models are compared on what they are).
* ``fidelity(outputs, baseline_outputs)``: ROUGE-L of a compressed model's outputs against the
  uncompressed model's, the measure of what compression changed. At this scale ROUGE-L against
  references moves by a few hundredths from one slice to another; fidelity moves with the damage.
* ``weight_stats(model, original)``: relative squared error of the block weights.
* ``library_int8(model)``: PyTorch's dynamic int8 quantisation, to compare the hand-written one with.
* ``train_student``: the distillation run, a fixed recipe on ``course_lib.training``'s
  deterministic loop (one thread, a seeded batch order).
* ``held_out_tensor(seed, ...)``: weight-like test tensors with the cases a quantiser or a pruner
  gets wrong: an outlier, an all-zero row, values exactly half-way between two levels.

Pure functions of the model zoo, the data sets and a seed.
"""

from __future__ import annotations

import time

from course_lib.data.instructions import OWN_TEMPLATE

__all__ = ["OWN_TEMPLATE", "MAX_NEW_TOKENS", "block_linears", "prompts", "summarise", "fidelity", "rouge_l",
           "weight_stats", "train_student", "held_out_tensor", "library_int8", "per_second"]

MAX_NEW_TOKENS = 64


def block_linears(model) -> list[tuple[str, object]]:
    """``[(name, nn.Linear)]`` of every linear layer in the encoder's and decoder's blocks, in
    ``named_modules`` order (attention q, k, v, o and the feed-forward layers; not ``lm_head``)."""
    import torch

    return [(name, module) for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and ".block." in name]


def prompts(dialogues: list[str]) -> list[str]:
    return [OWN_TEMPLATE.format(dialogue=d) for d in dialogues]


def summarise(model, tokenizer, dialogues: list[str], batch_size: int = 16) -> list[str]:
    """Greedy summaries (at most ``MAX_NEW_TOKENS`` new tokens) of ``dialogues``, in their order."""
    from course_lib import generation

    config = generation.greedy_config(MAX_NEW_TOKENS)
    return generation.generate(model, tokenizer, prompts(dialogues), config, batch_size=batch_size)


def rouge_l(outputs: list[str], references: list[str]) -> float:
    from course_lib import metrics

    return float(metrics.rouge(list(outputs), list(references))["rougeL"])


def fidelity(outputs: list[str], baseline_outputs: list[str]) -> float:
    """ROUGE-L of ``outputs`` against what the uncompressed model wrote for the same inputs
    (1.0: the compressed model writes exactly the same)."""
    return rouge_l(outputs, baseline_outputs)


def weight_stats(model, original) -> dict[str, float]:
    """Over the block linears: ``relative_error`` = sum (w' - w)^2 / sum w^2 against ``original``'s
    weights (q2's reconstruction error)."""
    err = norm = 0.0
    for (_, new), (_, old) in zip(block_linears(model), block_linears(original), strict=True):
        w, w0 = new.weight.detach(), old.weight.detach()
        err += float((w - w0).pow(2).sum())
        norm += float(w0.pow(2).sum())
    return {"relative_error": err / norm}


def train_student(student, tokenizer, dialogues: list[str], targets: list[str], steps: int = 100,
                  seed: int = 0) -> list[float]:
    """Train ``student`` (in place) to answer tiny-flan's template with ``targets``; the losses.
    AdamW at 1e-3 with warm-up and cosine decay, batches of 16 of similar length."""
    from course_lib import training

    make_batch, lengths = training.seq2seq_batcher(tokenizer, prompts(dialogues), list(targets))
    return training.train_loop(student, make_batch, lengths, steps=steps, batch_size=16, lr=1e-3, seed=seed)


def held_out_tensor(seed: int, rows: int = 12, cols: int = 64, outlier: float = 0.4, halves: bool = True):
    """A float32 ``(rows, cols)`` weight-like tensor: Gaussian values (std 0.05), one outlier in
    row 0, row 1 all zeros, and row 2 at exactly half-way between two int4 levels: its absmax
    0.875 (also the tensor's) makes the int4 scale exactly 1/8 per tensor, per row and per group
    of 32, and its entries are (k + 1/2) / 8, so the rounding rule decides every one of them.
    ``halves=False`` leaves row 2 Gaussian: no two nonzero magnitudes are then equal, so which
    weights a pruner keeps never depends on how it breaks ties."""
    import random

    import torch

    # Python's generator, not torch's: torch.randn's vectorised kernels may round differently on
    # another CPU, and a reference recorded for these exact values must find them at grading
    rng = random.Random(seed)
    w = torch.tensor([[rng.gauss(0.0, 0.05) for _ in range(cols)] for _ in range(rows)], dtype=torch.float32)
    w[0, rng.randrange(cols)] = outlier
    w[1] = 0.0
    if not halves:
        return w
    levels = torch.tensor([2.5, -3.5, 0.5, 4.5, -1.5, 5.5, -0.5, 1.5, -6.5, 3.5]) / 8
    w[2] = levels.repeat(cols // len(levels) + 1)[:cols]
    w[2, ::32] = 0.875
    return w


def library_int8(model):
    """PyTorch's own dynamic int8 quantisation of a copy of ``model`` (every ``nn.Linear``: int8
    weights per tensor, activations quantised on the fly), the library reference of 08's q2."""
    import copy
    import warnings

    import torch

    with warnings.catch_warnings():     # torch.ao.quantization is deprecated in favour of torchao
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8)


def per_second(fn, count: int) -> tuple[float, object]:
    """``(count / seconds, result)`` of one call of ``fn()``."""
    start = time.perf_counter()
    result = fn()
    return count / max(time.perf_counter() - start, 1e-9), result
