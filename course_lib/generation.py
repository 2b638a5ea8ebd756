"""Batched text generation with an explicit ``GenerationConfig``.

One function, ``generate``, works for encoder-decoder models (T5: the output is a new
text) and decoder-only models (GPT-2: the output continues the prompt; only the
continuation is returned). Decoding settings always live in a ``GenerationConfig`` so a
notebook shows exactly how text was produced::

    from course_lib.generation import generate, greedy_config, sampling_config

    summaries = generate(model, tokenizer, prompts, greedy_config(max_new_tokens=60))
    stories = generate(model, tokenizer, prompts, sampling_config(temperature=0.8, top_p=0.9), seed=0)

Reproducible sampling -- the rule: when ``seed`` is given, ``torch.manual_seed(seed + i)``
is called right before generating each batch, where ``i`` is the position in ``prompts``
of the batch's first prompt. A batch's samples therefore depend only on the seed, its
prompts and its position, not on which batches ran before it. A different
``batch_size`` forms different batches and so gives different samples. Greedy outputs
do not depend on the batch size (padding is masked), except that on a real model a
near-tie between two tokens can occasionally be decided differently by float rounding.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Sequence

__all__ = ["for_model", "greedy_config", "sampling_config", "generate", "eval_mode"]


# --------------------------------------------------------------------------------------
# GenerationConfig helpers
# --------------------------------------------------------------------------------------


def _first_not_none(*values):
    for value in values:
        if value is not None:
            return value
    return None


def for_model(config, model, tokenizer):
    """A copy of ``config`` with the special-token ids this model/tokenizer pair needs.

    Fills only what ``config`` leaves unset (None), preferring the tokenizer, then the model:

    * ``eos_token_id``: where generation stops;
    * ``pad_token_id``: fills finished sequences in a batch (the eos id when the
      tokenizer has no pad token, as with GPT-2);
    * ``bos_token_id`` and, for encoder-decoder models, ``decoder_start_token_id``.

    Note: any other setting left at None is filled by ``model.generate`` itself from
    ``model.generation_config`` (the checkpoint's ``generation_config.json``), then from
    the library defaults. Set a field explicitly to be sure of its value.
    """
    config = copy.deepcopy(config)
    model_gen = getattr(model, "generation_config", None)

    def model_value(name):
        return _first_not_none(getattr(model_gen, name, None), getattr(model.config, name, None))

    config.eos_token_id = _first_not_none(config.eos_token_id, tokenizer.eos_token_id, model_value("eos_token_id"))
    config.pad_token_id = _first_not_none(
        config.pad_token_id, tokenizer.pad_token_id, model_value("pad_token_id"), _single_id(config.eos_token_id)
    )
    config.bos_token_id = _first_not_none(config.bos_token_id, tokenizer.bos_token_id, model_value("bos_token_id"))
    if model.config.is_encoder_decoder:
        config.decoder_start_token_id = _first_not_none(
            config.decoder_start_token_id, model_value("decoder_start_token_id"), config.pad_token_id
        )
    return config


def _single_id(token_id):
    """eos_token_id may be a list of ids; padding needs just one."""
    if isinstance(token_id, (list, tuple)):
        return token_id[0] if token_id else None
    return token_id


def greedy_config(max_new_tokens: int = 64, model=None, tokenizer=None, **kwargs):
    """GenerationConfig for greedy decoding: always take the most likely next token.

    Deterministic. Pass ``model`` and ``tokenizer`` to fill in the special-token ids now
    (``generate`` does it anyway); extra keyword arguments go to ``GenerationConfig``
    (e.g. ``num_beams=4`` for beam search, ``repetition_penalty=1.2``).
    """
    from transformers import GenerationConfig

    config = GenerationConfig(do_sample=False, max_new_tokens=max_new_tokens, **{"num_beams": 1, **kwargs})
    return for_model(config, model, tokenizer) if model is not None and tokenizer is not None else config


def sampling_config(
    temperature: float = 1.0,
    top_k: int | None = 50,
    top_p: float = 1.0,
    max_new_tokens: int = 64,
    model=None,
    tokenizer=None,
    **kwargs,
):
    """GenerationConfig for random sampling from the model's next-token distribution.

    * ``temperature`` divides the logits: below 1 sharpens the distribution (safer, more
      repetitive), above 1 flattens it (more diverse, more errors).
    * ``top_k`` keeps only the k most likely tokens (``None`` or 0: no limit).
    * ``top_p`` (nucleus sampling) keeps the smallest set of tokens whose probabilities
      add up to ``top_p`` (1.0: no limit).

    Use ``generate(..., seed=...)`` to make samples reproducible.
    """
    from transformers import GenerationConfig

    if temperature <= 0:
        raise ValueError("temperature must be > 0 (use greedy_config for temperature-0 decoding)")
    if not 0 < top_p <= 1:
        raise ValueError("top_p must be in (0, 1]")
    config = GenerationConfig(
        do_sample=True,
        temperature=temperature,
        top_k=top_k or 0,  # transformers: top_k=0 disables top-k filtering
        top_p=top_p,
        max_new_tokens=max_new_tokens,
        **kwargs,
    )
    return for_model(config, model, tokenizer) if model is not None and tokenizer is not None else config


# --------------------------------------------------------------------------------------
# Batching
# --------------------------------------------------------------------------------------


def _pad(sequences: list[list[int]], pad_value: int, side: str):
    """Pad token id lists into a LongTensor (left or right) and return it with the attention mask."""
    import torch

    width = max(len(seq) for seq in sequences)
    ids = torch.full((len(sequences), width), pad_value, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        span = slice(width - len(seq), width) if side == "left" else slice(0, len(seq))
        ids[row, span] = torch.tensor(seq, dtype=torch.long)
        mask[row, span] = 1
    return ids, mask


def _encode_batch(tokenizer, prompts: Sequence[str], pad_id: int, side: str, max_input_tokens: int | None):
    """Tokenise prompts (with the tokenizer's special tokens) and pad them.

    Decoder-only models need *left* padding: every prompt must end in the last column so
    that the new tokens follow the prompt directly. Padding by hand means tokenizers
    without a pad token (GPT-2) work without being modified.
    """
    encoded = tokenizer(list(prompts), truncation=max_input_tokens is not None, max_length=max_input_tokens)
    sequences = [list(ids) for ids in encoded["input_ids"]]
    if any(len(seq) == 0 for seq in sequences):
        raise ValueError("a prompt tokenised to zero tokens")
    return _pad(sequences, pad_id, side)


def _output_lengths(new_tokens, eos_token_id) -> list[int]:
    """Generated tokens per row: up to and including the first eos; the padding after it does not count."""
    eos_ids = set(eos_token_id) if isinstance(eos_token_id, (list, tuple)) else {eos_token_id}
    lengths = []
    for row in new_tokens.tolist():
        stop = next((i for i, token in enumerate(row) if token in eos_ids), None)
        lengths.append(len(row) if stop is None else stop + 1)
    return lengths


@contextlib.contextmanager
def eval_mode(model):
    """``with eval_mode(model):`` -- eval mode (no dropout) and no gradients; the previous
    train/eval mode is restored afterwards, so it is safe to call inside a training loop."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


# --------------------------------------------------------------------------------------
# generate
# --------------------------------------------------------------------------------------


def generate(
    model,
    tokenizer,
    prompts: Sequence[str],
    config=None,
    batch_size: int = 16,
    seed: int | None = None,
    device: str = "cpu",
    return_token_counts: bool = False,
    max_input_tokens: int | None = None,
) -> list[str] | tuple[list[str], list[dict[str, int]]]:
    """Generate one text per prompt, in batches.

    Args:
        model: a ``transformers`` encoder-decoder (T5, BART) or decoder-only (GPT-2) model.
        tokenizer: its tokenizer.
        prompts: list of input texts.
        config: a ``GenerationConfig`` (default: ``greedy_config()``); missing pad/eos ids
            are filled in with ``for_model``.
        batch_size: prompts per ``model.generate`` call.
        seed: makes sampling reproducible; before each batch ``torch.manual_seed(seed + i)``
            is called, ``i`` being the index of the batch's first prompt.
        device: where to run; the model is moved there.
        return_token_counts: also return, per output, ``{"input_tokens": ..., "output_tokens": ...}``
            (prompt tokens without padding; generated tokens up to and including the
            end-of-sequence token) -- what a pay-per-token API would bill.
        max_input_tokens: truncate prompts to this many tokens (default: no truncation).

    Returns:
        The generated texts (special tokens removed, whitespace stripped). For decoder-only
        models only the continuation is returned, never the prompt. With
        ``num_return_sequences=n`` in the config, the n outputs of each prompt are
        consecutive. With ``return_token_counts=True``: ``(texts, counts)``.

    The model runs in eval mode without gradients; its train/eval mode is restored after.
    """
    import torch

    if isinstance(prompts, str):
        raise TypeError("prompts must be a list of strings")
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    config = for_model(config if config is not None else greedy_config(), model, tokenizer)
    encoder_decoder = bool(model.config.is_encoder_decoder)
    side = "right" if encoder_decoder else "left"
    pad_id = _first_not_none(_single_id(config.pad_token_id), 0)  # masked out, any id works

    model.to(device)
    texts: list[str] = []
    counts: list[dict[str, int]] = []
    with eval_mode(model):
        for start in range(0, len(prompts), batch_size):
            input_ids, attention_mask = _encode_batch(
                tokenizer, prompts[start : start + batch_size], pad_id, side, max_input_tokens
            )
            if seed is not None:
                torch.manual_seed(seed + start)
            output = model.generate(
                input_ids=input_ids.to(device), attention_mask=attention_mask.to(device), generation_config=config
            ).cpu()
            # Encoder-decoder output starts with the decoder start token; decoder-only
            # output starts with the (left-padded) prompt.
            new_tokens = output[:, 1:] if encoder_decoder else output[:, input_ids.shape[1] :]
            texts.extend(text.strip() for text in tokenizer.batch_decode(new_tokens, skip_special_tokens=True))
            if return_token_counts:
                per_prompt = output.shape[0] // input_ids.shape[0]  # num_return_sequences
                input_lengths = attention_mask.sum(dim=1).repeat_interleave(per_prompt).tolist()
                output_lengths = _output_lengths(new_tokens, config.eos_token_id)
                counts.extend(
                    {"input_tokens": int(n_in), "output_tokens": int(n_out)}
                    for n_in, n_out in zip(input_lengths, output_lengths)
                )
    return (texts, counts) if return_token_counts else texts


def target_logprobs(model, tokenizer, prompt: str, targets: Sequence[str], batch_size: int = 256):
    """How likely an encoder-decoder finds each target as its reply to one prompt.

    Returns ``(sums, lengths)``, two float tensors of shape ``(len(targets),)``: the sum of the
    log-probabilities of each target's tokens (its end-of-sequence token included) given
    ``prompt``, and how many tokens that is. The prompt is encoded once; ``sums / lengths``
    is the mean log-probability per token, which does not favour short targets the way the
    sum does. Scoring candidates instead of generating is how 05-rag makes tiny-flan answer
    with a span of the retrieved text (constrained, extractive decoding).
    """
    import torch

    if isinstance(targets, str):
        raise TypeError("targets must be a list of strings")
    if not model.config.is_encoder_decoder:
        raise ValueError("target_logprobs scores encoder-decoder models (T5, BART); "
                         "for decoder-only models see course_lib.rlhf.completion_logprobs")
    if not targets:
        return torch.zeros(0), torch.zeros(0)
    pad_id = _first_not_none(tokenizer.pad_token_id, 0)
    prompt_ids, prompt_mask = _encode_batch(tokenizer, [prompt], pad_id, "right", None)
    sums, lengths = [], []
    with eval_mode(model):
        encoded = model.get_encoder()(input_ids=prompt_ids, attention_mask=prompt_mask).last_hidden_state
        for start in range(0, len(targets), batch_size):
            labels, mask = _pad([list(t) for t in tokenizer(list(targets[start:start + batch_size]))["input_ids"]],
                                pad_id, "right")
            n = labels.shape[0]
            logits = model(encoder_outputs=(encoded.expand(n, -1, -1),), attention_mask=prompt_mask.expand(n, -1),
                           labels=labels.masked_fill(mask == 0, -100)).logits.float()
            token_lp = torch.log_softmax(logits, dim=-1).gather(-1, labels[..., None])[..., 0] * mask
            sums.append(token_lp.sum(-1))
            lengths.append(mask.sum(-1).float())
    return torch.cat(sums), torch.cat(lengths)
