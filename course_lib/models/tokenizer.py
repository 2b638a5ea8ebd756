"""The course tokenizer: one byte-pair vocabulary trained on all course text.

One vocabulary, three post-processing variants, each saved as its own folder so that
``AutoTokenizer.from_pretrained(folder)`` gives the right behaviour for each family:

- ``t5``: appends ``</s>`` to every sequence (T5's convention), pads on the right;
- ``gpt``: adds nothing (a prompt must not end in ``</s>``), pads on the left for generation;
- ``encoder``: ``<cls> ... </s>`` for the sentence encoder and the classifier.

Turn markers and punctuation are kept apart by the pre-tokenizer, which a small BPE
vocabulary otherwise merges into long, rare tokens.
"""

from __future__ import annotations

from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

PAD, EOS, UNK, CLS = "<pad>", "</s>", "<unk>", "<cls>"
N_SENTINELS = 32                       # <extra_id_0> ... for T5 span corruption
SENTINELS = [f"<extra_id_{i}>" for i in range(N_SENTINELS)]
SPECIALS = [PAD, EOS, UNK, CLS] + SENTINELS     # pad=0, eos=1, unk=2 as in T5
# DialogSum's speaker tags, one token each instead of four: shorter sequences, faster labs
SPEAKER_TAGS = ["#Person1#", "#Person2#", "#Person3#"]
VOCAB_SIZE = 4096


def train_bpe(texts: list[str], vocab_size: int = VOCAB_SIZE) -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=UNK))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split("\n", "isolated"),
        pre_tokenizers.Punctuation("isolated"),
        pre_tokenizers.Metaspace(prepend_scheme="first"),
    ])
    tok.decoder = decoders.Metaspace(prepend_scheme="first")
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIALS,
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    tok.add_tokens([AddedToken(t, single_word=False, normalized=False, special=False) for t in SPEAKER_TAGS])
    return tok


def save_variants(tok: Tokenizer, out: dict[str, Path], model_max_length: int = 1024) -> None:
    """Save the ``t5``, ``gpt`` and ``encoder`` variants to the folders in ``out``."""
    from transformers import PreTrainedTokenizerFast

    ids = {t: tok.token_to_id(t) for t in (PAD, EOS, CLS)}
    post = {
        "t5": processors.TemplateProcessing(single=f"$A {EOS}", pair=f"$A {EOS} $B {EOS}",
                                            special_tokens=[(EOS, ids[EOS])]),
        "gpt": processors.TemplateProcessing(single="$A", pair="$A $B", special_tokens=[]),
        "encoder": processors.TemplateProcessing(single=f"{CLS} $A {EOS}", pair=f"{CLS} $A {EOS} $B {EOS}",
                                                 special_tokens=[(CLS, ids[CLS]), (EOS, ids[EOS])]),
    }
    for variant, folder in out.items():
        t = Tokenizer.from_str(tok.to_str())
        t.post_processor = post[variant]
        kwargs = dict(pad_token=PAD, eos_token=EOS, unk_token=UNK, model_max_length=model_max_length)
        if variant == "t5":
            kwargs["extra_special_tokens"] = SENTINELS
        if variant == "gpt":
            kwargs.update(bos_token=EOS, padding_side="left")
        if variant == "encoder":
            kwargs.update(cls_token=CLS, sep_token=EOS)
        fast = PreTrainedTokenizerFast(tokenizer_object=t, **kwargs)
        fast.save_pretrained(str(folder))
