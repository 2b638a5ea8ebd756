"""A word-level tokenizer trained in a test on a handful of sentences, for throwaway models."""

from __future__ import annotations


def word_tokenizer(corpus: list[str], append_eos: bool, with_pad: bool = True, **kwargs):
    """T5-style (``append_eos``: ``</s>`` after every text) or GPT-style; pad/eos/unk ids 0/1/2."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(corpus, trainers.WordLevelTrainer(special_tokens=["<pad>", "</s>", "<unk>"]))
    if append_eos:
        tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    special = {"eos_token": "</s>", "unk_token": "<unk>"}
    if with_pad:
        special["pad_token"] = "<pad>"
    return PreTrainedTokenizerFast(tokenizer_object=tok, **special, **kwargs)
