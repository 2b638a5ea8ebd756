"""course_lib.generation on throwaway tiny models built in-process (no downloads)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tiny_tokenizers import word_tokenizer
import torch

from course_lib.generation import for_model, generate, greedy_config, sampling_config, target_logprobs

CORPUS = [
    "the cat sat on the mat",
    "a dog ran in the park with a red ball",
    "summarize: the quick brown fox jumps over the lazy dog",
    "hello world how are you today my friend",
    "translate english to french: the house is blue",
    "once upon a time there was a small green frog",
]


@pytest.fixture(scope="module", autouse=True)
def _single_thread(one_torch_thread):
    """Tiny models run much faster single-threaded (see conftest)."""


PROMPTS = [
    "the cat",
    "a dog ran in the park",
    "hello",
    "summarize: the quick brown fox jumps over the lazy dog",
    "once upon a time",
]


def make_tokenizer(append_eos: bool, with_pad: bool = True):
    """Word-level tokenizer trained on CORPUS; T5-style ones append </s> to every text."""
    return word_tokenizer(CORPUS, append_eos, with_pad)


def make_t5(vocab_size: int):
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    config = T5Config(
        vocab_size=vocab_size, d_model=32, d_kv=16, num_layers=1, num_heads=2, d_ff=64,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, initializer_factor=4.0,
    )
    return T5ForConditionalGeneration(config).eval()  # eval: no dropout in reference outputs


def make_gpt2(vocab_size: int):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    # A large initializer_range makes the random model's next-token choices clear-cut,
    # so greedy comparisons are not decided by float rounding.
    config = GPT2Config(
        vocab_size=vocab_size, n_embd=32, n_layer=1, n_head=2, n_positions=64,
        bos_token_id=1, eos_token_id=1, initializer_range=0.5,
    )
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module")
def t5():
    tokenizer = make_tokenizer(append_eos=True)
    return make_t5(len(tokenizer)), tokenizer


@pytest.fixture(scope="module")
def gpt2():
    tokenizer = make_tokenizer(append_eos=False)
    return make_gpt2(len(tokenizer)), tokenizer


@pytest.fixture(params=["t5", "gpt2"])
def model_and_tokenizer(request):
    return request.getfixturevalue(request.param)


# --------------------------------------------------------------------------------------
# configs
# --------------------------------------------------------------------------------------


def test_greedy_and_sampling_configs():
    greedy = greedy_config(max_new_tokens=7)
    assert greedy.do_sample is False and greedy.num_beams == 1 and greedy.max_new_tokens == 7

    sampling = sampling_config(temperature=0.7, top_k=20, top_p=0.9, max_new_tokens=5)
    assert sampling.do_sample is True
    assert (sampling.temperature, sampling.top_k, sampling.top_p, sampling.max_new_tokens) == (0.7, 20, 0.9, 5)
    assert sampling_config(top_k=None).top_k == 0  # 0 = no top-k filtering

    with pytest.raises(ValueError):
        sampling_config(temperature=0)
    with pytest.raises(ValueError):
        sampling_config(top_p=1.5)


def test_for_model_fills_ids_without_overriding(t5, gpt2):
    model, tokenizer = t5
    config = for_model(greedy_config(), model, tokenizer)
    assert (config.pad_token_id, config.eos_token_id, config.decoder_start_token_id) == (0, 1, 0)

    explicit = greedy_config()
    explicit.eos_token_id = 5
    assert for_model(explicit, model, tokenizer).eos_token_id == 5
    assert explicit.pad_token_id is None  # the input config is not modified

    # GPT-2 style: no pad token anywhere -> pad with eos.
    gpt2_model, _ = gpt2
    no_pad = make_tokenizer(append_eos=False, with_pad=False)
    config = greedy_config(model=gpt2_model, tokenizer=no_pad)
    assert config.pad_token_id == config.eos_token_id == no_pad.eos_token_id


# --------------------------------------------------------------------------------------
# greedy decoding
# --------------------------------------------------------------------------------------


def test_greedy_is_deterministic(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    config = greedy_config(max_new_tokens=6)
    first = generate(model, tokenizer, PROMPTS, config)
    second = generate(model, tokenizer, PROMPTS, config)
    assert first == second
    assert len(first) == len(PROMPTS)
    assert all(isinstance(text, str) and text == text.strip() for text in first)
    assert any(first), "the tiny model should generate some words"


def test_batch_size_does_not_change_greedy_outputs(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    config = greedy_config(max_new_tokens=6)
    one_by_one = generate(model, tokenizer, PROMPTS, config, batch_size=1)
    assert generate(model, tokenizer, PROMPTS, config, batch_size=2) == one_by_one
    assert generate(model, tokenizer, PROMPTS, config, batch_size=16) == one_by_one


def _reference_generate(model, tokenizer, prompt, config):
    """One unpadded prompt through model.generate, decoded by hand."""
    assert not model.training
    config = for_model(config, model, tokenizer)
    ids = torch.tensor([tokenizer(prompt)["input_ids"]])
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=config)
    start = 1 if model.config.is_encoder_decoder else ids.shape[1]
    return out[0, start:], tokenizer.decode(out[0, start:], skip_special_tokens=True).strip()


def test_matches_unbatched_model_generate(model_and_tokenizer):
    """Left/right padding in batches gives the same text as each prompt on its own."""
    model, tokenizer = model_and_tokenizer
    config = greedy_config(max_new_tokens=6)
    texts = generate(model, tokenizer, PROMPTS, config, batch_size=5)
    assert texts == [_reference_generate(model, tokenizer, p, config)[1] for p in PROMPTS]


def test_decoder_only_returns_only_the_continuation(gpt2):
    model, tokenizer = gpt2
    prompt = "summarize: the quick brown fox jumps over the lazy dog"
    config = greedy_config(max_new_tokens=3)
    (text,), (counts,) = generate(model, tokenizer, [prompt], config, return_token_counts=True)
    assert counts["output_tokens"] <= 3
    assert len(text.split()) <= 3  # a 10-word prompt cannot be in there
    assert not text.startswith("summarize")
    new_tokens, expected = _reference_generate(model, tokenizer, prompt, config)
    assert text == expected
    assert tokenizer.decode(new_tokens) == text


def test_token_counts(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    config = greedy_config(max_new_tokens=6)
    texts, counts = generate(model, tokenizer, PROMPTS, config, batch_size=2, return_token_counts=True)
    assert texts == generate(model, tokenizer, PROMPTS, config, batch_size=2)
    for prompt, count in zip(PROMPTS, counts):
        assert count["input_tokens"] == len(tokenizer(prompt)["input_ids"])  # padding not counted
        new_tokens, _ = _reference_generate(model, tokenizer, prompt, config)
        ids = new_tokens.tolist()
        expected = ids.index(1) + 1 if 1 in ids else len(ids)  # up to and including eos
        assert count["output_tokens"] == expected
        assert 1 <= count["output_tokens"] <= 6


def test_model_mode_restored_and_no_grad(gpt2):
    model, tokenizer = gpt2
    model.train()
    try:
        generate(model, tokenizer, PROMPTS[:2], greedy_config(max_new_tokens=2))
        assert model.training
    finally:
        model.eval()
    assert torch.is_grad_enabled()


def test_tokenizer_without_pad_token(gpt2):
    model, _ = gpt2
    with_pad = make_tokenizer(append_eos=False)
    no_pad = make_tokenizer(append_eos=False, with_pad=False)
    config = greedy_config(max_new_tokens=5)
    assert generate(model, no_pad, PROMPTS, config, batch_size=5) == [
        _reference_generate(model, with_pad, p, config)[1] for p in PROMPTS
    ]
    assert no_pad.pad_token is None  # not modified


def test_max_input_tokens_truncates(gpt2):
    model, tokenizer = gpt2
    _, counts = generate(model, tokenizer, PROMPTS, greedy_config(max_new_tokens=2), max_input_tokens=3,
                         return_token_counts=True)
    assert max(c["input_tokens"] for c in counts) == 3


def test_rejects_a_single_string(gpt2):
    model, tokenizer = gpt2
    with pytest.raises(TypeError):
        generate(model, tokenizer, "the cat")


# --------------------------------------------------------------------------------------
# sampling
# --------------------------------------------------------------------------------------


def test_sampling_with_seed_is_reproducible(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    config = sampling_config(temperature=1.5, top_k=None, max_new_tokens=8)
    first = generate(model, tokenizer, PROMPTS, config, seed=123, batch_size=2)
    torch.manual_seed(999)  # the global RNG state beforehand does not matter
    assert generate(model, tokenizer, PROMPTS, config, seed=123, batch_size=2) == first
    assert generate(model, tokenizer, PROMPTS, config, seed=124, batch_size=2) != first


def test_seed_rule_is_per_batch(gpt2):
    """Batch starting at prompt i is seeded with seed + i: it can be regenerated alone."""
    model, tokenizer = gpt2
    config = sampling_config(temperature=1.5, top_k=None, max_new_tokens=8)
    full = generate(model, tokenizer, PROMPTS, config, seed=7, batch_size=2)
    assert generate(model, tokenizer, PROMPTS[2:4], config, seed=7 + 2, batch_size=2) == full[2:4]
    assert generate(model, tokenizer, PROMPTS[4:], config, seed=7 + 4, batch_size=2) == full[4:]


def test_num_return_sequences(t5):
    model, tokenizer = t5
    config = sampling_config(max_new_tokens=4, num_return_sequences=3)
    texts, counts = generate(model, tokenizer, PROMPTS[:2], config, seed=0, return_token_counts=True)
    assert len(texts) == len(counts) == 6
    assert [c["input_tokens"] for c in counts] == [len(tokenizer(PROMPTS[0])["input_ids"])] * 3 + [
        len(tokenizer(PROMPTS[1])["input_ids"])
    ] * 3


# --------------------------------------------------------------------------------------
# target_logprobs
# --------------------------------------------------------------------------------------


def test_target_logprobs_is_the_models_own_loss(t5):
    """Each target's sum is minus the model's loss on it times its token count, in any batch size."""
    model, tokenizer = t5
    prompt = "summarize: the quick brown fox jumps over the lazy dog"
    targets = ["the fox", "a dog ran in the park", "fox", "the lazy dog jumps"]
    sums, lengths = target_logprobs(model, tokenizer, prompt, targets)
    encoded = tokenizer(prompt, return_tensors="pt")
    for target, total, n in zip(targets, sums, lengths):
        labels = tokenizer(target, return_tensors="pt").input_ids
        with torch.no_grad():
            loss = model(**encoded, labels=labels).loss
        assert int(n) == labels.shape[1]            # the end-of-sequence token counts
        assert float(total) == pytest.approx(-float(loss) * labels.shape[1], abs=1e-4)
    again, _ = target_logprobs(model, tokenizer, prompt, targets, batch_size=3)
    assert torch.allclose(again, sums, atol=1e-5)
    assert (sums < 0).all()


def test_target_logprobs_refuses_what_it_cannot_score(t5, gpt2):
    model, tokenizer = t5
    with pytest.raises(TypeError, match="list of strings"):
        target_logprobs(model, tokenizer, "the cat", "the mat")
    with pytest.raises(ValueError, match="encoder-decoder"):
        target_logprobs(*gpt2, "the cat", ["sat"])
    sums, lengths = target_logprobs(model, tokenizer, "the cat", [])
    assert sums.shape == lengths.shape == (0,)


def test_import_is_light():
    """``import course_lib.generation`` must not pull in torch or transformers (notebook start-up)."""
    code = "import sys, course_lib.generation; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
