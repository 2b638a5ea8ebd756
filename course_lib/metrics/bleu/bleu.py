"""Corpus BLEU as a local ``evaluate`` metric module (no Hugging Face Hub needed).

Load it by path, exactly like the Hub's ``bleu`` metric::

    import evaluate
    bleu = evaluate.load("course_lib/metrics/bleu")        # folder or .../bleu/bleu.py
    bleu.compute(predictions=["the cat sat on the mat"], references=[["the cat sat on a mat"]])

It reproduces the Hub script: sacrebleu's "13a" tokenizer (case kept) and the BLEU of
tensorflow/nmt (``compute_bleu`` below). The Hub script downloads that function from
GitHub when loaded; here it is written out so that loading never touches the network.

This file must stay self-contained (no relative imports): ``evaluate`` copies it into its
module cache and imports it from there.
"""

import collections
import math

import datasets
import evaluate
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

_CITATION = """\
@inproceedings{papineni-etal-2002-bleu,
    title = "{B}leu: a Method for Automatic Evaluation of Machine Translation",
    author = "Papineni, Kishore and Roukos, Salim and Ward, Todd and Zhu, Wei-Jing",
    booktitle = "Proceedings of the 40th Annual Meeting of the Association for Computational Linguistics",
    year = "2002",
    url = "https://aclanthology.org/P02-1040",
    pages = "311--318",
}
"""

_DESCRIPTION = """\
BLEU (Papineni et al., 2002) scores generated text against references by n-gram precision
(n = 1..max_order, counts clipped by the references), combined as a geometric mean and
multiplied by a brevity penalty that punishes outputs shorter than the references.
Counts are pooled over the whole corpus before dividing (corpus BLEU), so it is *not*
the mean of sentence-level BLEU scores.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of reference texts, or a list of lists of references.
    tokenizer: callable text -> list of tokens (default: sacrebleu's 13a tokenizer, which
        splits off punctuation and keeps case).
    max_order: the longest n-gram used (default 4).
    smooth: add 1 to the matches and to the candidate n-gram counts of every order
        (tensorflow/nmt smoothing), so one missing 4-gram does not zero the score.
Returns:
    bleu: the score, between 0 and 1.
    precisions: the modified n-gram precisions, orders 1..max_order.
    brevity_penalty: exp(1 - r/c) when the output is shorter than the references, else 1.
    length_ratio: c / r, output length over reference length (the shortest reference
        of each example is used, as in tensorflow/nmt).
    translation_length: c, the number of output tokens.
    reference_length: r, the number of reference tokens.
Examples:
    >>> bleu = evaluate.load("course_lib/metrics/bleu")
    >>> bleu.compute(predictions=["hello there general kenobi"],
    ...              references=[["hello there general kenobi"]])["bleu"]
    1.0
"""


def _get_ngrams(tokens, max_order):
    """Counter of all n-grams of ``tokens`` with 1 <= n <= max_order."""
    counts = collections.Counter()
    for order in range(1, max_order + 1):
        for i in range(len(tokens) - order + 1):
            counts[tuple(tokens[i : i + order])] += 1
    return counts


def compute_bleu(reference_corpus, translation_corpus, max_order=4, smooth=False):
    """Corpus BLEU of tokenised translations against tokenised references.

    Same algorithm as tensorflow/nmt's ``compute_bleu`` (which the Hub metric uses), with
    empty inputs giving 0 instead of a ZeroDivisionError.

    Args:
        reference_corpus: one list of references per translation, each a list of tokens.
        translation_corpus: list of translations, each a list of tokens.
    Returns:
        (bleu, precisions, brevity_penalty, length_ratio, translation_length, reference_length)
    """
    matches_by_order = [0] * max_order
    possible_matches_by_order = [0] * max_order
    reference_length = 0
    translation_length = 0
    for references, translation in zip(reference_corpus, translation_corpus):
        reference_length += min(len(r) for r in references)
        translation_length += len(translation)

        # Clipping: an n-gram counts at most as often as in the reference that has it most.
        merged_ref_ngram_counts = collections.Counter()
        for reference in references:
            merged_ref_ngram_counts |= _get_ngrams(reference, max_order)
        overlap = _get_ngrams(translation, max_order) & merged_ref_ngram_counts
        for ngram, count in overlap.items():
            matches_by_order[len(ngram) - 1] += count
        for order in range(1, max_order + 1):
            possible_matches = len(translation) - order + 1
            if possible_matches > 0:
                possible_matches_by_order[order - 1] += possible_matches

    precisions = [0.0] * max_order
    for i in range(max_order):
        if smooth:
            precisions[i] = (matches_by_order[i] + 1.0) / (possible_matches_by_order[i] + 1.0)
        elif possible_matches_by_order[i] > 0:
            precisions[i] = matches_by_order[i] / possible_matches_by_order[i]

    if min(precisions) > 0:
        geo_mean = math.exp(sum(math.log(p) for p in precisions) / max_order)
    else:
        geo_mean = 0.0

    ratio = translation_length / reference_length if reference_length > 0 else 0.0
    if ratio > 1.0:
        brevity_penalty = 1.0
    elif ratio > 0.0:
        brevity_penalty = math.exp(1 - 1.0 / ratio)
    else:  # empty output (or empty references): nothing to reward
        brevity_penalty = 0.0

    bleu = geo_mean * brevity_penalty
    return bleu, precisions, brevity_penalty, ratio, translation_length, reference_length


class _Default13aTokenizer:
    """sacrebleu's 13a tokenisation, returning a list of tokens (like the Hub's tokenizer_13a)."""

    def __init__(self):
        self._tokenize = Tokenizer13a()

    def __call__(self, text):
        return self._tokenize(text).split()


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Bleu(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=[
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Sequence(datasets.Value("string", id="sequence"), id="references"),
                    }
                ),
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Value("string", id="sequence"),
                    }
                ),
            ],
            codebase_urls=["https://github.com/tensorflow/nmt/blob/master/nmt/scripts/bleu.py"],
            reference_urls=["https://aclanthology.org/P02-1040"],
        )

    def _compute(self, predictions, references, tokenizer=None, max_order=4, smooth=False):
        if len(predictions) == 0:
            raise ValueError("BLEU needs at least one prediction/reference pair.")
        tokenizer = tokenizer or _Default13aTokenizer()
        # One reference per example is allowed: make it a list of one.
        references = [[ref] if isinstance(ref, str) else list(ref) for ref in references]
        if any(len(refs) == 0 for refs in references):
            raise ValueError("Every prediction needs at least one reference.")

        bleu, precisions, bp, ratio, translation_length, reference_length = compute_bleu(
            reference_corpus=[[tokenizer(r) for r in refs] for refs in references],
            translation_corpus=[tokenizer(p) for p in predictions],
            max_order=max_order,
            smooth=smooth,
        )
        return {
            "bleu": float(bleu),
            "precisions": [float(p) for p in precisions],
            "brevity_penalty": float(bp),
            "length_ratio": float(ratio),
            "translation_length": int(translation_length),
            "reference_length": int(reference_length),
        }
