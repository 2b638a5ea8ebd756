"""ROUGE as a local ``evaluate`` metric module (no Hugging Face Hub needed).

Load it by path, exactly like the Hub's ``rouge`` metric::

    import evaluate
    rouge = evaluate.load("course_lib/metrics/rouge")      # folder or .../rouge/rouge.py
    rouge.compute(predictions=["the cat sat"], references=["the cat sat down"])

Differences from the Hub script, on purpose:

* The aggregate is the plain mean of the per-example F-measures. The Hub script uses
  ``rouge_score``'s BootstrapAggregator, which resamples at random, so its "mid" score
  can change from run to run; a grader cannot accept that.
* All numbers are plain Python floats.

This file must stay self-contained (no relative imports): ``evaluate`` copies it into its
module cache and imports it from there.
"""

import datasets
import evaluate
from rouge_score import rouge_scorer

_CITATION = """\
@inproceedings{lin-2004-rouge,
    title = "{ROUGE}: A Package for Automatic Evaluation of Summaries",
    author = "Lin, Chin-Yew",
    booktitle = "Text Summarization Branches Out",
    year = "2004",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/W04-1013",
    pages = "74--81",
}
"""

_DESCRIPTION = """\
ROUGE (Recall-Oriented Understudy for Gisting Evaluation) compares a generated text with
one or more references by overlapping units: unigrams (rouge1), bigrams (rouge2) and the
longest common subsequence (rougeL on the whole text, rougeLsum on newline-separated
sentences). Scores are F-measures computed with Google's ``rouge_score`` package and
averaged over examples.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: list of generated texts.
    references: list of reference texts, or a list of lists of references (the best
        scoring reference counts for each example).
    rouge_types: which scores to compute; default ["rouge1", "rouge2", "rougeL", "rougeLsum"].
        "rougeN" works for any N >= 1.
    use_aggregator: True (default) returns the mean F-measure over examples for each
        type; False returns a list with one F-measure per example.
    use_stemmer: apply the Porter stemmer to words longer than 3 characters, so that
        "running" matches "run" (default False, as in the Hub metric).
    tokenizer: optional callable text -> list of tokens replacing rouge_score's default
        (lowercase, keep only a-z and 0-9).
Returns:
    dict mapping each rouge type to a float (mean) or a list of floats (per example).
    rougeLsum treats each line of a text as a sentence: join sentences with "\\n".
Examples:
    >>> rouge = evaluate.load("course_lib/metrics/rouge")
    >>> rouge.compute(predictions=["hello there"], references=["hello there"])["rouge1"]
    1.0
"""

DEFAULT_ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


class _CallableTokenizer:
    """Adapts a plain function to the ``.tokenize`` interface rouge_score expects."""

    def __init__(self, fn):
        self.fn = fn

    def tokenize(self, text):
        return self.fn(text)


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Rouge(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=[
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Sequence(datasets.Value("string", id="sequence")),
                    }
                ),
                datasets.Features(
                    {
                        "predictions": datasets.Value("string", id="sequence"),
                        "references": datasets.Value("string", id="sequence"),
                    }
                ),
            ],
            codebase_urls=["https://github.com/google-research/google-research/tree/master/rouge"],
            reference_urls=["https://aclanthology.org/W04-1013"],
        )

    def _compute(self, predictions, references, rouge_types=None, use_aggregator=True, use_stemmer=False,
                 tokenizer=None):
        if len(predictions) == 0:
            raise ValueError("ROUGE needs at least one prediction/reference pair.")
        rouge_types = list(rouge_types or DEFAULT_ROUGE_TYPES)
        scorer = rouge_scorer.RougeScorer(
            rouge_types=rouge_types,
            use_stemmer=use_stemmer,
            tokenizer=_CallableTokenizer(tokenizer) if tokenizer is not None else None,
        )
        per_example = {rouge_type: [] for rouge_type in rouge_types}
        for prediction, reference in zip(predictions, references):
            # rouge_score's argument order is (target, prediction).
            if isinstance(reference, str):
                scores = scorer.score(reference, prediction)
            else:
                scores = scorer.score_multi(list(reference), prediction)
            for rouge_type in rouge_types:
                per_example[rouge_type].append(float(scores[rouge_type].fmeasure))

        if not use_aggregator:
            return per_example
        # A plain mean: deterministic, unlike rouge_score's BootstrapAggregator.
        return {rouge_type: sum(values) / len(values) for rouge_type, values in per_example.items()}
