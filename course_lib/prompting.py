"""Lab 01 (prompting): ``model.generate``'s sampling, reproduced without torch's global generator.

``model.generate(do_sample=True)`` draws its tokens from torch's *global* random generator. Two
gradings that run in threads of one process (``course validate``, ``course grade -j N``) would
interleave their draws, so a test that calls ``torch.manual_seed(seed)`` and then ``generate`` in
the grading process is not reproducible. ``sampled_tokens`` gives the same tokens for one prompt
without touching the global state: transformers' own logits warpers, built under the same
conditions and in the same order as ``generate`` builds them (temperature, top-k, top-p), a
softmax, and one ``torch.multinomial`` draw per step from a private ``torch.Generator`` seeded with
``seed`` (the same stream as ``torch.manual_seed(seed)``). ``tests/test_prompting.py`` checks it
token for token against ``generate``.

    >>> from course_lib.prompting import sampled_tokens
    >>> ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    >>> sampled_tokens(model, ids, 24, temperature=0.7, top_k=20, seed=1)   # == generate's new tokens
"""

from __future__ import annotations


def warpers(temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None):
    """The warpers ``generate(do_sample=True, temperature=..., top_k=..., top_p=...)`` applies, in its order."""
    from transformers import LogitsProcessorList, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    chain = LogitsProcessorList()
    if temperature is not None and temperature != 1.0:
        chain.append(TemperatureLogitsWarper(temperature))
    if top_k:                                   # None or 0: no top-k (generate's own default would be 50)
        chain.append(TopKLogitsWarper(top_k=top_k))
    if top_p is not None and top_p < 1.0:
        chain.append(TopPLogitsWarper(top_p=top_p))
    return chain


def sampled_tokens(model, input_ids, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                   top_p: float | None = None, seed: int = 0, eos_token_id: int | None = None) -> list[int]:
    """The new token ids of ``torch.manual_seed(seed); model.generate(input_ids, do_sample=True, ...)``.

    For an encoder-decoder model and one prompt (``input_ids`` of shape ``(1, n)``, no padding):
    the encoder runs once, the decoder re-reads its whole output at every step (no cache), and
    generation stops after ``max_new_tokens`` tokens or right after the end-of-sequence token
    (kept). Thread-safe: the global random generator is neither read nor changed.
    """
    import torch

    eos = model.generation_config.eos_token_id if eos_token_id is None else eos_token_id
    start = model.generation_config.decoder_start_token_id
    if start is None:
        start = model.config.decoder_start_token_id
    chain = warpers(temperature, top_k, top_p)
    generator = torch.Generator().manual_seed(seed)
    decoder_ids = [start]
    with torch.no_grad():
        encoder_outputs = model.get_encoder()(input_ids=input_ids)
        for _ in range(max_new_tokens):
            prefix = torch.tensor([decoder_ids])
            logits = model(encoder_outputs=encoder_outputs, decoder_input_ids=prefix).logits[:, -1].float()
            probs = torch.softmax(chain(prefix, logits), dim=-1)
            token = int(torch.multinomial(probs, num_samples=1, generator=generator))
            decoder_ids.append(token)
            if token == eos:
                break
    return decoder_ids[1:]
