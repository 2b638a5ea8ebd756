"""Evaluation metrics used throughout the course, as plain functions.

Text overlap
    ``rouge``, ``rouge_per_example``, ``bleu`` -- computed by the local ``evaluate`` metric
    modules in ``course_lib/metrics/rouge`` and ``course_lib/metrics/bleu``, loaded by path
    (never from the Hugging Face Hub). ``rouge_l_f1`` is a pure-Python ROUGE-L to check
    your own implementation against.
Question answering
    ``exact_match``, ``token_f1`` (SQuAD-style normalisation) and their corpus means.
Retrieval
    ``recall_at_k``, ``mrr``.
Language models
    ``perplexity``, ``toxicity``, ``mean_toxicity``.

Every function returns plain Python floats, so results can go straight into JSON.
Heavy libraries (evaluate, torch, transformers) are imported inside the functions that
need them, so ``import course_lib.metrics`` stays fast.
"""

from __future__ import annotations

import collections
import math
import re
import string
import threading
from pathlib import Path
from typing import Any, Sequence

__all__ = [
    "METRICS_DIR",
    "load_metric",
    "rouge",
    "rouge_per_example",
    "bleu",
    "rouge_tokenize",
    "lcs_length",
    "rouge_l_f1",
    "recall_at_k",
    "mrr",
    "normalize_answer",
    "exact_match",
    "token_f1",
    "exact_match_score",
    "token_f1_score",
    "perplexity",
    "toxicity",
    "mean_toxicity",
]

#: Folder holding the local ``evaluate`` metric modules (``rouge/rouge.py``, ``bleu/bleu.py``).
METRICS_DIR = Path(__file__).resolve().parent

DEFAULT_ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


# --------------------------------------------------------------------------------------
# evaluate modules (ROUGE, BLEU)
# --------------------------------------------------------------------------------------


# One module per thread: an ``evaluate`` module buffers each ``compute`` call's inputs in its
# own state, so two threads sharing one (graders in threads of one process, ``course grade -j``)
# mix their inputs and crash or return wrong scores. ``evaluate.load`` itself runs one at a time.
_PER_THREAD = threading.local()
_LOAD_LOCK = threading.Lock()


def load_metric(name: str):
    """Load the local ``evaluate`` metric ``name`` ("rouge" or "bleu"), once per thread.

    Equivalent to ``evaluate.load("<course_lib>/metrics/<name>")``. ``keep_in_memory``
    avoids the Arrow cache files and file locks ``evaluate`` would otherwise write for
    every ``compute`` call.
    """
    cache = _PER_THREAD.__dict__.setdefault("metrics", {})
    if name not in cache:
        import evaluate

        path = METRICS_DIR / name
        if not (path / f"{name}.py").is_file():
            raise ValueError(f"No local metric module {name!r} in {METRICS_DIR}")
        with _LOAD_LOCK:
            cache[name] = evaluate.load(str(path), keep_in_memory=True)
    return cache[name]


def _check_pairs(predictions: Sequence[str], references: Sequence[Any]) -> None:
    if isinstance(predictions, str) or isinstance(references, str):
        raise TypeError("predictions and references must be lists of strings, not a single string")
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    if len(predictions) == 0:
        raise ValueError("need at least one prediction/reference pair")


def _normalise_references(references: Sequence[Any]) -> list:
    """All strings, or all lists of strings: ``evaluate`` picks one schema for the batch."""
    if any(not isinstance(ref, str) for ref in references):
        return [[ref] if isinstance(ref, str) else list(ref) for ref in references]
    return list(references)


def rouge_per_example(
    predictions: Sequence[str],
    references: Sequence[str] | Sequence[Sequence[str]],
    use_stemmer: bool = True,
    rouge_types: Sequence[str] = DEFAULT_ROUGE_TYPES,
) -> dict[str, list[float]]:
    """ROUGE F-measures for each example: ``{"rouge1": [f_1, f_2, ...], ...}``.

    ``references`` may hold one string per example or a list of references per example
    (then the best-matching reference counts). For rougeLsum, put each sentence of a
    summary on its own line.
    """
    _check_pairs(predictions, references)
    return load_metric("rouge").compute(
        predictions=list(predictions),
        references=_normalise_references(references),
        rouge_types=list(rouge_types),
        use_stemmer=use_stemmer,
        use_aggregator=False,
    )


def rouge(
    predictions: Sequence[str],
    references: Sequence[str] | Sequence[Sequence[str]],
    use_stemmer: bool = True,
    rouge_types: Sequence[str] = DEFAULT_ROUGE_TYPES,
) -> dict[str, float]:
    """Mean ROUGE F-measures over examples: ``{"rouge1": ..., "rouge2": ..., "rougeL": ..., "rougeLsum": ...}``.

    Deterministic: a plain mean of ``rouge_per_example`` (the Hub's ``rouge`` metric uses
    a random bootstrap instead). ``use_stemmer=True`` lets "running" match "run".

    >>> rouge(["the cat sat on the mat"], ["the cat sat on the mat"])["rougeL"]
    1.0
    """
    per_example = rouge_per_example(predictions, references, use_stemmer=use_stemmer, rouge_types=rouge_types)
    return {name: sum(values) / len(values) for name, values in per_example.items()}


def bleu(
    predictions: Sequence[str],
    references: Sequence[str] | Sequence[Sequence[str]],
    max_order: int = 4,
    smooth: bool = False,
) -> dict[str, Any]:
    """Corpus BLEU (0..1) with sacrebleu's 13a tokenisation, like the Hub's ``bleu`` metric.

    Returns ``{"bleu", "precisions", "brevity_penalty", "length_ratio",
    "translation_length", "reference_length"}``. ``smooth=True`` adds one to every
    n-gram count so short outputs without a matching 4-gram do not score 0.
    """
    _check_pairs(predictions, references)
    return load_metric("bleu").compute(
        predictions=list(predictions),
        references=_normalise_references(references),
        max_order=max_order,
        smooth=smooth,
    )


# --------------------------------------------------------------------------------------
# ROUGE-L by hand
# --------------------------------------------------------------------------------------

_NON_ALPHANUM_RE = re.compile(r"[^a-z0-9]+")


def rouge_tokenize(text: str) -> list[str]:
    """rouge_score's default tokenisation (no stemming): lowercase, keep runs of a-z/0-9.

    >>> rouge_tokenize("The cat's mat, 2 times!")
    ['the', 'cat', 's', 'mat', '2', 'times']
    """
    return _NON_ALPHANUM_RE.sub(" ", text.lower()).split()


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token lists (dynamic programming).

    Keeps only one row of the table, so memory is O(len(b)).
    """
    previous = [0] * (len(b) + 1)
    for token_a in a:
        current = [0]
        for j, token_b in enumerate(b, start=1):
            if token_a == token_b:
                current.append(previous[j - 1] + 1)
            else:
                current.append(max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l_f1(prediction: str, reference: str) -> float:
    """ROUGE-L F-measure of one prediction against one reference, in pure Python.

    precision = LCS / len(prediction tokens), recall = LCS / len(reference tokens),
    F = 2PR / (P + R); 0 when either text has no tokens. Tokens come from
    ``rouge_tokenize``, so this equals ``rouge_score``'s rougeL F-measure without stemming.

    >>> round(rouge_l_f1("the cat sat on the mat", "the cat is on the mat"), 4)
    0.8333
    """
    pred_tokens = rouge_tokenize(prediction)
    ref_tokens = rouge_tokenize(reference)
    if not pred_tokens or not ref_tokens:
        return 0.0
    lcs = lcs_length(ref_tokens, pred_tokens)
    if lcs == 0:
        return 0.0
    precision = lcs / len(pred_tokens)
    recall = lcs / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


# --------------------------------------------------------------------------------------
# Retrieval
# --------------------------------------------------------------------------------------


def _check_retrieval(retrieved_ids: Sequence[Sequence[Any]], gold_ids: Sequence[Sequence[Any]], k: int | None):
    if len(retrieved_ids) != len(gold_ids):
        raise ValueError(f"{len(retrieved_ids)} retrieved lists but {len(gold_ids)} gold lists")
    if len(retrieved_ids) == 0:
        raise ValueError("need at least one query")
    if k is not None and k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def recall_at_k(retrieved_ids: Sequence[Sequence[Any]], gold_ids: Sequence[Sequence[Any]], k: int) -> float:
    """Fraction of queries with at least one gold id among their top ``k`` retrieved ids.

    ``retrieved_ids[q]`` is the ranked list for query q (best first); ``gold_ids[q]`` the
    ids that count as correct. A query with no gold ids counts as a miss.

    >>> recall_at_k([["a", "b"], ["c", "d"]], [["b"], ["x"]], k=2)
    0.5
    """
    _check_retrieval(retrieved_ids, gold_ids, k)
    hits = sum(1 for ranked, gold in zip(retrieved_ids, gold_ids) if set(ranked[:k]) & set(gold))
    return hits / len(retrieved_ids)


def mrr(retrieved_ids: Sequence[Sequence[Any]], gold_ids: Sequence[Sequence[Any]], k: int | None = None) -> float:
    """Mean reciprocal rank of the first gold id (ranks start at 1).

    A query scores 1/rank of its first correct id, or 0 if none appears in the top ``k``
    (the whole list when ``k`` is None).

    >>> mrr([["a", "b", "c"], ["d", "e"]], [["c"], ["x"]])  # (1/3 + 0) / 2
    0.16666666666666666
    """
    _check_retrieval(retrieved_ids, gold_ids, k)
    total = 0.0
    for ranked, gold in zip(retrieved_ids, gold_ids):
        gold_set = set(gold)
        for rank, doc_id in enumerate(ranked[:k] if k is not None else ranked, start=1):
            if doc_id in gold_set:
                total += 1.0 / rank
                break
    return total / len(retrieved_ids)


# --------------------------------------------------------------------------------------
# Question answering (SQuAD-style)
# --------------------------------------------------------------------------------------

_ARTICLES_RE = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lowercase, drop punctuation, drop articles (a/an/the), squeeze spaces.

    >>> normalize_answer("The  Eiffel Tower!")
    'eiffel tower'
    """
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES_RE.sub(" ", text)
    return " ".join(text.split())


def _best_over_references(score_fn, pred: str, ref: str | Sequence[str]) -> float:
    """SQuAD scores a prediction against each gold answer and keeps the best."""
    refs = [ref] if isinstance(ref, str) else list(ref)
    if not refs:
        raise ValueError("need at least one reference answer")
    return max(score_fn(pred, r) for r in refs)


def _exact_match_one(pred: str, ref: str) -> float:
    return float(normalize_answer(pred) == normalize_answer(ref))


def _token_f1_one(pred: str, ref: str) -> float:
    pred_tokens = normalize_answer(pred).split()
    ref_tokens = normalize_answer(ref).split()
    if not pred_tokens or not ref_tokens:
        # SQuAD v2 rule: two empty answers agree, one empty answer scores 0.
        return float(pred_tokens == ref_tokens)
    common = collections.Counter(pred_tokens) & collections.Counter(ref_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = num_same / len(pred_tokens)
    recall = num_same / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


def exact_match(pred: str, ref: str | Sequence[str]) -> float:
    """1.0 if the normalised prediction equals the (best) normalised reference, else 0.0.

    ``ref`` may be one answer or a list of acceptable answers.

    >>> exact_match("the Eiffel tower.", "Eiffel Tower")
    1.0
    """
    return _best_over_references(_exact_match_one, pred, ref)


def token_f1(pred: str, ref: str | Sequence[str]) -> float:
    """SQuAD token-overlap F1 between normalised answers (best over a list of references).

    >>> token_f1("in Paris France", "Paris")  # P = 1/3, R = 1
    0.5
    """
    return _best_over_references(_token_f1_one, pred, ref)


def exact_match_score(preds: Sequence[str], refs: Sequence[str | Sequence[str]]) -> float:
    """Mean ``exact_match`` over a list of predictions."""
    _check_pairs(preds, refs)
    return sum(exact_match(p, r) for p, r in zip(preds, refs)) / len(preds)


def token_f1_score(preds: Sequence[str], refs: Sequence[str | Sequence[str]]) -> float:
    """Mean ``token_f1`` over a list of predictions."""
    _check_pairs(preds, refs)
    return sum(token_f1(p, r) for p, r in zip(preds, refs)) / len(preds)


# --------------------------------------------------------------------------------------
# Language-model metrics
# --------------------------------------------------------------------------------------


def _encode(tokenizer, texts: Sequence[str], max_length: int | None) -> list[list[int]]:
    """Token ids per text, with the tokenizer's special tokens, optionally truncated.

    Padding is done by hand (``course_lib.generation._pad``), so tokenizers without a
    pad token (GPT-2) work without being modified.
    """
    encoded = tokenizer(list(texts), truncation=max_length is not None, max_length=max_length)
    return [list(ids) for ids in encoded["input_ids"]]


def _pad_id(tokenizer) -> int:
    # Padded positions are masked out, so any valid id will do when there is no pad token.
    for token_id in (tokenizer.pad_token_id, tokenizer.eos_token_id):
        if token_id is not None:
            return token_id
    return 0


def _batch_nll(model, tokenizer, texts, sources, device, max_length):
    """(sum of token negative log-likelihoods, number of scored tokens) for one batch."""
    import torch.nn.functional as F

    from course_lib.generation import _pad

    pad_id = _pad_id(tokenizer)
    target_ids, target_mask = _pad(_encode(tokenizer, texts, max_length), pad_id, side="right")
    labels = target_ids.masked_fill(target_mask == 0, -100)  # -100: ignored by the loss

    if model.config.is_encoder_decoder:
        input_ids, attention_mask = _pad(_encode(tokenizer, sources, max_length), pad_id, side="right")
        # Passing labels makes the model build the decoder inputs (labels shifted right).
        logits = model(
            input_ids=input_ids.to(device), attention_mask=attention_mask.to(device), labels=labels.to(device)
        ).logits
    else:
        logits = model(input_ids=target_ids.to(device), attention_mask=target_mask.to(device)).logits
        # Position t predicts token t+1: the first token of each text is never scored.
        logits, labels = logits[:, :-1], labels[:, 1:]

    labels = labels.to(logits.device)
    nll = F.cross_entropy(
        logits.reshape(-1, logits.size(-1)).float(), labels.reshape(-1), ignore_index=-100, reduction="sum"
    )
    return float(nll), int((labels != -100).sum())


def perplexity(
    model,
    tokenizer,
    texts: Sequence[str],
    batch_size: int = 8,
    device: str = "cpu",
    sources: Sequence[str] | None = None,
    max_length: int | None = None,
) -> float:
    """Perplexity of ``texts`` under a causal LM (GPT-2 style) or a seq2seq model (T5 style).

    perplexity = exp( sum of token NLLs / number of scored tokens ), pooled over the whole
    corpus: every token weighs the same, whatever text or batch it is in (this is *not*
    the mean of per-text perplexities, nor of per-batch losses).

    Which tokens are scored:

    * Causal LM: every token of each text except the first (nothing predicts it), with
      the tokenizer's usual special tokens. Padding is labelled -100 and ignored, so the
      batch size does not change the result.
    * Seq2seq: pass the encoder inputs as ``sources``; each text in ``texts`` is the
      target, and all its tokens (including the end-of-sequence token the tokenizer
      appends) are scored given its source.

    ``max_length`` truncates texts (and sources) to that many tokens. The model is moved
    to ``device`` and run in eval mode without gradients; its train/eval mode is restored.
    """
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings")
    if len(texts) == 0:
        raise ValueError("need at least one text")
    if model.config.is_encoder_decoder:
        if sources is None or len(sources) != len(texts):
            raise ValueError("seq2seq perplexity needs one source (encoder input) per text: pass sources=[...]")
    elif sources is not None:
        raise ValueError("sources is only used with encoder-decoder models")

    from course_lib.generation import eval_mode

    model.to(device)
    total_nll, total_tokens = 0.0, 0
    with eval_mode(model):
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            batch_sources = sources[start : start + batch_size] if sources is not None else None
            nll, count = _batch_nll(model, tokenizer, batch, batch_sources, device, max_length)
            total_nll += nll
            total_tokens += count
    if total_tokens == 0:
        raise ValueError("no tokens to score (causal LMs need texts of at least 2 tokens)")
    return math.exp(total_nll / total_tokens)


# --------------------------------------------------------------------------------------
# Toxicity
# --------------------------------------------------------------------------------------


def _load_classifier(path: str):
    """``(model, tokenizer)`` of a classifier folder, once per thread: a fast tokenizer used by
    two threads at once fails ("Already borrowed")."""
    cache = _PER_THREAD.__dict__.setdefault("classifiers", {})
    if path not in cache:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from course_lib.models.zoo import LOAD_LOCK

        with LOAD_LOCK:
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True)
        cache[path] = (model.eval(), tokenizer)
    return cache[path]


def _resolve_classifier(classifier):
    """(model, tokenizer) from a folder path, a text-classification pipeline or a (model, tokenizer) pair."""
    if isinstance(classifier, (str, Path)):
        return _load_classifier(str(Path(classifier).expanduser().resolve()))
    if isinstance(classifier, tuple) and len(classifier) == 2:
        return classifier
    if hasattr(classifier, "model") and hasattr(classifier, "tokenizer"):  # a transformers Pipeline
        return classifier.model, classifier.tokenizer
    raise TypeError("expected a classifier folder, a text-classification pipeline or a (model, tokenizer) pair")


def _toxic_label_index(config) -> int:
    """The label named "toxic" if there is one, else index 1 (label 0 is 'not toxic')."""
    for index, name in (config.id2label or {}).items():
        if str(name).lower() == "toxic":
            return int(index)
    return 1


def _classifier_max_length(model, tokenizer) -> int | None:
    # Tokenizers saved without a limit report a huge model_max_length; fall back to the model's.
    limit = getattr(tokenizer, "model_max_length", None)
    if limit is None or limit > 100_000:
        limit = getattr(model.config, "max_position_embeddings", None)
    return limit


def toxicity(
    texts: Sequence[str],
    classifier_dir_or_pipeline,
    batch_size: int = 32,
    device: str = "cpu",
) -> list[float]:
    """Probability that each text is toxic, according to a sequence classifier.

    ``classifier_dir_or_pipeline`` is a folder saved with ``save_pretrained`` (loaded
    offline with ``AutoModelForSequenceClassification.from_pretrained`` and kept in
    memory: re-saving a folder during a session needs a fresh kernel), a
    ``transformers`` text-classification pipeline, or a ``(model, tokenizer)`` pair.

    The toxic class is the label named "toxic" in ``config.id2label``, otherwise label
    index 1. Probabilities come from a softmax over the labels (a sigmoid for a model
    with a single output). Long texts are truncated to the classifier's maximum length.
    """
    import torch

    from course_lib.generation import _pad, eval_mode

    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings")
    model, tokenizer = _resolve_classifier(classifier_dir_or_pipeline)
    model.to(device)
    toxic_index = _toxic_label_index(model.config)
    max_length = _classifier_max_length(model, tokenizer)

    scores: list[float] = []
    with eval_mode(model):
        for start in range(0, len(texts), batch_size):
            batch = _encode(tokenizer, texts[start : start + batch_size], max_length)
            ids, mask = _pad(batch, _pad_id(tokenizer), side="right")
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
            if logits.size(-1) == 1:
                probs = torch.sigmoid(logits[:, 0])
            else:
                probs = torch.softmax(logits, dim=-1)[:, toxic_index]
            scores.extend(float(p) for p in probs.cpu())
    return scores


def mean_toxicity(texts: Sequence[str], classifier_dir_or_pipeline, batch_size: int = 32, device: str = "cpu") -> float:
    """Mean of ``toxicity`` over ``texts``."""
    scores = toxicity(texts, classifier_dir_or_pipeline, batch_size=batch_size, device=device)
    if not scores:
        raise ValueError("need at least one text")
    return sum(scores) / len(scores)
