"""course_lib.metrics: cross-checked against rouge_score, sacrebleu, nltk and hand computations."""

from __future__ import annotations

import math
import os
import random
import socket
import subprocess
import sys

import pytest
from tiny_tokenizers import word_tokenizer

import course_lib.metrics as M

WORDS = (
    "the a an cat dog mat sat ran quickly running runs run park ball red green small "
    "model models summary summaries text texts is was on in of to and U.S. don't "
    "café naïve 2024 3.5 e-mail self-attention GPT-2 T5 Hello, world! (note) x"
).split()


@pytest.fixture(scope="module", autouse=True)
def _single_thread(one_torch_thread):
    """Tiny models run much faster single-threaded (see conftest)."""


def random_sentence(rng: random.Random, low: int = 0, high: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def random_pairs(seed: int, n: int, low: int = 0):
    rng = random.Random(seed)
    return [(random_sentence(rng, low), random_sentence(rng, low)) for _ in range(n)]


@pytest.fixture
def no_network(monkeypatch):
    """Fail loudly if anything tries to open a network connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --------------------------------------------------------------------------------------
# Loading the local evaluate modules
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rouge", "bleu"])
def test_evaluate_loads_local_modules_by_path_offline(name, no_network):
    import evaluate

    folder = M.METRICS_DIR / name
    by_folder = evaluate.load(str(folder))
    by_file = evaluate.load(str(folder / f"{name}.py"))  # loading again reuses evaluate's module cache
    assert isinstance(by_folder, evaluate.Metric) and isinstance(by_file, evaluate.Metric)
    assert type(by_folder).__name__ == name.capitalize()
    result = by_file.compute(predictions=["the cat sat on the mat"], references=["the cat sat on the mat"])
    assert result["rouge1" if name == "rouge" else "bleu"] == pytest.approx(1.0)

    assert M.load_metric(name) is M.load_metric(name)  # cached per thread


def test_load_metric_rejects_unknown_names():
    with pytest.raises(ValueError):
        M.load_metric("sacrebleu")


def test_modules_load_in_a_fresh_offline_process(tmp_path):
    """A clean HF cache, offline env vars: evaluate copies the modules into its cache and loads them twice."""
    code = (
        "import evaluate, course_lib.metrics as M\n"
        "for _ in range(2):\n"
        "    r = evaluate.load(str(M.METRICS_DIR / 'rouge'))\n"
        "    b = evaluate.load(str(M.METRICS_DIR / 'bleu' / 'bleu.py'))\n"
        "print(M.rouge(['a b c'], ['a b c'])['rougeL'], M.bleu(['a b c d'], ['a b c d'])['bleu'])\n"
    )
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", "HF_EVALUATE_OFFLINE": "1"}
    env.pop("HF_MODULES_CACHE", None)
    env.pop("HF_METRICS_CACHE", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1.0", "1.0"]
    copied = list((tmp_path / "hf" / "modules" / "evaluate_modules" / "metrics").glob("*/*/*.py"))
    assert {p.name for p in copied} >= {"rouge.py", "bleu.py"}


def test_import_is_light():
    """``import course_lib.metrics`` must not pull in torch, transformers or evaluate."""
    code = "import sys, course_lib.metrics; print(sorted({'torch', 'transformers', 'evaluate'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_package_data_covers_metric_modules():
    """pyproject's package-data pattern for course_lib.metrics matches both module files."""
    files = sorted(p.relative_to(M.METRICS_DIR).as_posix() for p in M.METRICS_DIR.glob("*/*.py"))
    assert files == ["bleu/bleu.py", "rouge/rouge.py"]


# --------------------------------------------------------------------------------------
# ROUGE
# --------------------------------------------------------------------------------------

ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]


@pytest.mark.parametrize("use_stemmer", [True, False])
def test_rouge_matches_rouge_score(use_stemmer):
    from rouge_score import rouge_scorer

    pairs = random_pairs(seed=1, n=60)
    # rougeLsum splits on newlines: give some texts two "sentences".
    pairs = [(p.replace(" on ", "\n", 1), r.replace(" in ", "\n", 1)) for p, r in pairs]
    predictions, references = zip(*pairs)

    scorer = rouge_scorer.RougeScorer(ROUGE_TYPES, use_stemmer=use_stemmer)
    expected = {t: [] for t in ROUGE_TYPES}
    for pred, ref in pairs:
        scores = scorer.score(ref, pred)
        for t in ROUGE_TYPES:
            expected[t].append(scores[t].fmeasure)

    per_example = M.rouge_per_example(predictions, references, use_stemmer=use_stemmer)
    assert set(per_example) == set(ROUGE_TYPES)
    for t in ROUGE_TYPES:
        assert per_example[t] == pytest.approx(expected[t], abs=1e-12)

    means = M.rouge(predictions, references, use_stemmer=use_stemmer)
    for t in ROUGE_TYPES:
        assert means[t] == pytest.approx(sum(expected[t]) / len(expected[t]), abs=1e-12)
        assert isinstance(means[t], float)
    assert M.rouge(predictions, references, use_stemmer=use_stemmer) == means  # deterministic


def test_rouge_stemmer_default_is_on():
    assert M.rouge(["the cats are running"], ["the cat is run"])["rouge1"] > M.rouge(
        ["the cats are running"], ["the cat is run"], use_stemmer=False
    )["rouge1"]


def test_rouge_multiple_references_take_the_best():
    from rouge_score import rouge_scorer

    predictions = ["the cat sat on the mat", "a red ball"]
    references = [["a dog ran", "the cat sat on a mat"], "the red ball"]
    scorer = rouge_scorer.RougeScorer(ROUGE_TYPES, use_stemmer=True)
    expected = [scorer.score_multi(references[0], predictions[0]), scorer.score(references[1], predictions[1])]
    per_example = M.rouge_per_example(predictions, references)
    for t in ROUGE_TYPES:
        assert per_example[t] == pytest.approx([e[t].fmeasure for e in expected])


def test_rouge_hand_computed():
    # pred 3 tokens, ref 4 tokens, 3 shared unigrams: P = 1, R = 3/4.
    result = M.rouge(["the cat sat"], ["the cat sat down"], use_stemmer=False)
    assert result["rouge1"] == pytest.approx(2 * 1 * 0.75 / 1.75)
    assert result["rouge2"] == pytest.approx(2 * 1 * (2 / 3) / (1 + 2 / 3))
    assert M.rouge(["x"], ["y"])["rougeL"] == 0.0


def test_rouge_module_aggregator_option():
    metric = M.load_metric("rouge")
    preds, refs = ["the cat sat", "a b c"], ["the cat sat down", "a b d"]
    listed = metric.compute(predictions=preds, references=refs, use_aggregator=False, rouge_types=["rouge1"])
    assert set(listed) == {"rouge1"} and len(listed["rouge1"]) == 2
    mean = metric.compute(predictions=preds, references=refs, rouge_types=["rouge1"])["rouge1"]
    assert mean == pytest.approx(sum(listed["rouge1"]) / 2)


def test_rouge_input_checks():
    with pytest.raises(ValueError):
        M.rouge(["a", "b"], ["a"])
    with pytest.raises(ValueError):
        M.rouge([], [])
    with pytest.raises(TypeError):
        M.rouge("a b", "a b")


# --------------------------------------------------------------------------------------
# ROUGE-L by hand
# --------------------------------------------------------------------------------------


def test_rouge_l_f1_matches_rouge_score_on_200_random_pairs():
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    for pred, ref in random_pairs(seed=2, n=200):
        assert M.rouge_l_f1(pred, ref) == pytest.approx(scorer.score(ref, pred)["rougeL"].fmeasure, abs=1e-6)


def test_rouge_tokenize_matches_rouge_score():
    from rouge_score import tokenize

    for pred, ref in random_pairs(seed=3, n=50):
        assert M.rouge_tokenize(pred) == tokenize.tokenize(pred, None)
    assert M.rouge_tokenize("Don't STOP, café!") == ["don", "t", "stop", "caf"]


def test_lcs_hand_cases():
    assert M.lcs_length("ABCBDAB", "BDCABA") == 4  # the textbook example (BCBA)
    assert M.lcs_length([], ["a"]) == 0
    assert M.lcs_length(["a", "b"], ["a", "b"]) == 2
    assert M.rouge_l_f1("", "the cat") == 0.0
    assert M.rouge_l_f1("the cat sat on the mat", "the cat is on the mat") == pytest.approx(5 / 6)


# --------------------------------------------------------------------------------------
# BLEU
# --------------------------------------------------------------------------------------


def bleu_corpus(seed: int, n: int = 40):
    """Predictions that are noisy copies of their references, so all 4-gram orders match somewhere."""
    rng = random.Random(seed)
    predictions, references = [], []
    for _ in range(n):
        ref = [rng.choice(WORDS) for _ in range(rng.randint(4, 15))]
        pred = [w if rng.random() < 0.8 else rng.choice(WORDS) for w in ref]
        if rng.random() < 0.3:
            # at least 4 tokens: nltk counts a hypothesis without n-grams of some order
            # as 0/1 rather than 0/0, which would differ from the other implementations
            pred = pred[: rng.randint(4, len(pred))]
        predictions.append(" ".join(pred))
        references.append(" ".join(ref))
    return predictions, references


def test_bleu_matches_sacrebleu():
    import sacrebleu

    predictions, references = bleu_corpus(seed=4)
    ours = M.bleu(predictions, references)
    theirs = sacrebleu.corpus_bleu(predictions, [references], tokenize="13a", smooth_method="none", force=True)
    assert ours["bleu"] == pytest.approx(theirs.score / 100, abs=1e-9)
    assert ours["precisions"] == pytest.approx([p / 100 for p in theirs.precisions], abs=1e-9)
    assert ours["brevity_penalty"] == pytest.approx(theirs.bp, abs=1e-9)
    assert (ours["translation_length"], ours["reference_length"]) == (theirs.sys_len, theirs.ref_len)
    assert ours["length_ratio"] == pytest.approx(theirs.sys_len / theirs.ref_len)


@pytest.mark.parametrize("max_order", [2, 4])
def test_bleu_matches_nltk_corpus_bleu(max_order):
    from nltk.translate.bleu_score import corpus_bleu
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    tokenize = Tokenizer13a()
    predictions, references = bleu_corpus(seed=5)
    # Two references of equal length per example: nltk uses the closest reference length,
    # tensorflow/nmt (and the Hub metric) the shortest; equal lengths make them agree.
    second_refs = [" ".join(reversed(r.split())) for r in references]
    multi_refs = [[a, b] for a, b in zip(references, second_refs)]

    ours = M.bleu(predictions, multi_refs, max_order=max_order)
    weights = tuple([1 / max_order] * max_order)
    theirs = corpus_bleu(
        [[tokenize(a).split(), tokenize(b).split()] for a, b in multi_refs],
        [tokenize(p).split() for p in predictions],
        weights=weights,
    )
    assert ours["bleu"] == pytest.approx(theirs, abs=1e-9)
    assert len(ours["precisions"]) == max_order


def test_bleu_hand_computed_with_and_without_smoothing():
    pred, ref = "the cat sat on the mat", "the cat sat on a mat"
    # clipped matches / candidates: 1-grams 5/6, 2-grams 3/5, 3-grams 2/4, 4-grams 1/3; equal lengths, BP = 1
    result = M.bleu([pred], [ref])
    assert result["precisions"] == pytest.approx([5 / 6, 3 / 5, 2 / 4, 1 / 3])
    assert result["bleu"] == pytest.approx((5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25)
    assert result["brevity_penalty"] == 1.0 and result["length_ratio"] == 1.0
    smoothed = M.bleu([pred], [ref], smooth=True)  # +1 on every order (tensorflow/nmt)
    assert smoothed["bleu"] == pytest.approx((6 / 7 * 4 / 6 * 3 / 5 * 2 / 4) ** 0.25)

    # Short output: BP = exp(1 - r/c); no 3-gram match -> 0 without smoothing.
    short = M.bleu(["the cat on mat"], ["the cat sat on the mat"])
    assert short["bleu"] == 0.0
    assert short["brevity_penalty"] == pytest.approx(math.exp(1 - 6 / 4))


def test_bleu_smoothing_matches_nltk_method2_when_unigrams_all_match():
    # nmt smoothing adds 1 to unigrams too, nltk's method2 does not; with all unigrams
    # matched (p1 = 4/4 = 5/5) the two agree.
    from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu

    pred, ref = "the cat on mat", "the cat sat on the mat"
    theirs = corpus_bleu([[ref.split()]], [pred.split()], smoothing_function=SmoothingFunction().method2)
    assert M.bleu([pred], [ref], smooth=True)["bleu"] == pytest.approx(theirs, abs=1e-12)


def test_bleu_tokenizer_splits_punctuation_and_keeps_case():
    assert M.bleu(["Hello, world!"], ["Hello , world !"])["bleu"] == pytest.approx(1.0)
    assert M.bleu(["hello world foo bar"], ["Hello World Foo Bar"])["precisions"][0] == 0.0


def test_bleu_edge_cases():
    empty = M.bleu([""], ["the cat sat"])
    assert empty["bleu"] == 0.0 and empty["translation_length"] == 0
    assert M.bleu(["a b c d"], [["a b c d", "x y"]])["reference_length"] == 2  # shortest reference
    with pytest.raises(ValueError):
        M.bleu(["a"], ["a", "b"])


def test_bleu_module_equals_plain_function(no_network):
    import evaluate

    predictions, references = bleu_corpus(seed=6, n=10)
    direct = evaluate.load(str(M.METRICS_DIR / "bleu")).compute(
        predictions=predictions, references=[[r] for r in references], smooth=True
    )
    assert direct == M.bleu(predictions, references, smooth=True)


# --------------------------------------------------------------------------------------
# Retrieval
# --------------------------------------------------------------------------------------

RETRIEVED = [["d1", "d2", "d3"], ["d4", "d5", "d6"], ["d7", "d8", "d9"], ["d1", "d3", "d2"]]
GOLD = [["d2"], ["d9"], ["d7", "d8"], ["d2", "d3"]]


def test_recall_at_k_hand_computed():
    assert M.recall_at_k(RETRIEVED, GOLD, k=1) == 1 / 4  # only query 3
    assert M.recall_at_k(RETRIEVED, GOLD, k=2) == 3 / 4  # queries 1, 3, 4
    assert M.recall_at_k(RETRIEVED, GOLD, k=10) == 3 / 4  # query 2's gold is never retrieved
    assert M.recall_at_k([["a"]], [[]], k=1) == 0.0  # no gold ids: a miss


def test_mrr_hand_computed():
    # first gold ranks: 2, none, 1, 2
    assert M.mrr(RETRIEVED, GOLD) == pytest.approx((1 / 2 + 0 + 1 + 1 / 2) / 4)
    assert M.mrr(RETRIEVED, GOLD, k=1) == pytest.approx(1 / 4)
    assert M.mrr([["a", "a", "b"]], [["b"]]) == pytest.approx(1 / 3)  # ranks are positions in the list


def test_retrieval_input_checks():
    with pytest.raises(ValueError):
        M.recall_at_k(RETRIEVED, GOLD[:2], k=1)
    with pytest.raises(ValueError):
        M.recall_at_k(RETRIEVED, GOLD, k=0)
    with pytest.raises(ValueError):
        M.mrr([], [])


# --------------------------------------------------------------------------------------
# Exact match / token F1
# --------------------------------------------------------------------------------------


def test_normalize_answer():
    assert M.normalize_answer("  The Eiffel-Tower, in PARIS! ") == "eiffeltower in paris"
    assert M.normalize_answer("An apple a day") == "apple day"
    assert M.normalize_answer("theatre") == "theatre"  # articles only as whole words


def test_exact_match_and_token_f1_hand_computed():
    assert M.exact_match("The Eiffel Tower.", "eiffel tower") == 1.0
    assert M.exact_match("Eiffel", "Eiffel Tower") == 0.0
    assert M.exact_match("paris", ["Lyon", "Paris"]) == 1.0  # best over references

    assert M.token_f1("in Paris France", "Paris") == pytest.approx(0.5)  # P = 1/3, R = 1
    # pred tokens [big, red, big, dog], ref [big, dog]: common = {big: 1, dog: 1} -> P = 2/4, R = 1
    assert M.token_f1("big red big dog", "the big dog") == pytest.approx(2 * 0.5 * 1 / 1.5)
    assert M.token_f1("cat", "dog") == 0.0
    assert M.token_f1("the", "") == 1.0  # both empty after normalisation
    assert M.token_f1("cat", "the") == 0.0
    assert M.token_f1("red dog", ["blue cat", "red dog"]) == 1.0


def test_exact_match_and_token_f1_scores_are_means():
    preds, refs = ["Paris", "in Paris France", "dog"], ["paris", "Paris", ["cat", "a dog"]]
    assert M.exact_match_score(preds, refs) == pytest.approx(2 / 3)
    assert M.token_f1_score(preds, refs) == pytest.approx((1 + 0.5 + 1) / 3)
    with pytest.raises(ValueError):
        M.exact_match_score(preds, refs[:2])


# --------------------------------------------------------------------------------------
# Perplexity and toxicity on throwaway tiny models
# --------------------------------------------------------------------------------------

CORPUS = [
    "the cat sat on the mat",
    "a dog ran in the park with a red ball",
    "you are a stupid idiot and i hate you",
    "thank you so much for your kind help",
    "summarize: the quick brown fox jumps over the lazy dog",
]


def make_tokenizer(append_eos: bool, with_pad: bool = True):
    return word_tokenizer(CORPUS, append_eos, with_pad, model_max_length=32)


@pytest.fixture(scope="module")
def gpt2():
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = make_tokenizer(append_eos=False)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_embd=32, n_layer=1, n_head=2, n_positions=32, eos_token_id=1)
    return GPT2LMHeadModel(config).eval(), tokenizer


@pytest.fixture(scope="module")
def t5():
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = make_tokenizer(append_eos=True)
    torch.manual_seed(0)
    config = T5Config(
        vocab_size=len(tokenizer), d_model=32, d_kv=16, num_layers=1, num_heads=2, d_ff=64,
        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
    )
    return T5ForConditionalGeneration(config).eval(), tokenizer


def hf_loss(model, tokenizer, text, source=None):
    """Mean token NLL of one unpadded example, as computed by the model itself."""
    import torch

    with torch.no_grad():
        if source is None:
            ids = torch.tensor([tokenizer(text)["input_ids"]])
            return float(model(input_ids=ids, labels=ids).loss), ids.shape[1] - 1
        src = torch.tensor([tokenizer(source)["input_ids"]])
        labels = torch.tensor([tokenizer(text)["input_ids"]])
        return float(model(input_ids=src, labels=labels).loss), labels.shape[1]


def test_perplexity_causal_single_text_equals_exp_loss(gpt2):
    model, tokenizer = gpt2
    loss, _ = hf_loss(model, tokenizer, CORPUS[1])
    assert M.perplexity(model, tokenizer, [CORPUS[1]]) == pytest.approx(math.exp(loss), rel=1e-5)
    # Untrained model: close to the vocabulary size.
    assert 0.5 * len(tokenizer) < M.perplexity(model, tokenizer, CORPUS) < 2 * len(tokenizer)


def test_perplexity_causal_pools_tokens_and_ignores_padding(gpt2):
    model, tokenizer = gpt2
    losses = [hf_loss(model, tokenizer, text) for text in CORPUS]
    total_nll = sum(loss * n for loss, n in losses)
    total_tokens = sum(n for _, n in losses)
    expected = math.exp(total_nll / total_tokens)  # token-weighted, not a mean of per-text perplexities
    for batch_size in (1, 2, 8):
        assert M.perplexity(model, tokenizer, CORPUS, batch_size=batch_size) == pytest.approx(expected, rel=1e-5)


def test_perplexity_seq2seq(t5):
    model, tokenizer = t5
    sources = [f"summarize: {text}" for text in CORPUS]
    losses = [hf_loss(model, tokenizer, text, source) for text, source in zip(CORPUS, sources)]
    expected = math.exp(sum(loss * n for loss, n in losses) / sum(n for _, n in losses))
    for batch_size in (1, 3):
        ppl = M.perplexity(model, tokenizer, CORPUS, batch_size=batch_size, sources=sources)
        assert ppl == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError):
        M.perplexity(model, tokenizer, CORPUS)  # seq2seq needs sources


def test_perplexity_tokenizer_without_pad_and_mode_restored(gpt2):
    model, tokenizer = gpt2
    no_pad = make_tokenizer(append_eos=False, with_pad=False)
    model.train()
    try:
        assert M.perplexity(model, no_pad, CORPUS, batch_size=3) == pytest.approx(
            M.perplexity(model, tokenizer, CORPUS, batch_size=1), rel=1e-5
        )
        assert model.training
    finally:
        model.eval()
    with pytest.raises(ValueError):
        M.perplexity(model, tokenizer, ["cat"])  # one token: nothing to predict


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory):
    """A tiny random 'toxicity classifier' saved like a real one (save_pretrained)."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    tokenizer = make_tokenizer(append_eos=False)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=32, num_labels=2,
        id2label={0: "neutral", 1: "toxic"}, label2id={"neutral": 0, "toxic": 1}, initializer_range=0.5,
    )
    path = tmp_path_factory.mktemp("toxicity-classifier")
    BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def manual_probabilities(model, tokenizer, texts, index):
    import torch

    probs = []
    with torch.no_grad():
        for text in texts:
            ids = torch.tensor([tokenizer(text)["input_ids"]])
            probs.append(float(torch.softmax(model(input_ids=ids).logits, dim=-1)[0, index]))
    return probs


def test_toxicity_from_folder(classifier_dir, no_network):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    scores = M.toxicity(CORPUS, classifier_dir, batch_size=2)
    assert len(scores) == len(CORPUS) and all(0.0 <= s <= 1.0 for s in scores)
    model = AutoModelForSequenceClassification.from_pretrained(classifier_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(classifier_dir)
    assert scores == pytest.approx(manual_probabilities(model, tokenizer, CORPUS, index=1), abs=1e-5)
    assert M.toxicity(CORPUS, str(classifier_dir), batch_size=32) == pytest.approx(scores, abs=1e-5)
    assert M.mean_toxicity(CORPUS, classifier_dir) == pytest.approx(sum(scores) / len(scores), abs=1e-6)


def test_toxicity_label_named_toxic_wins_over_index_1(classifier_dir):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(classifier_dir).eval()
    tokenizer = AutoTokenizer.from_pretrained(classifier_dir)
    model.config.id2label = {0: "TOXIC", 1: "ok"}
    scores = M.toxicity(CORPUS, (model, tokenizer))
    assert scores == pytest.approx(manual_probabilities(model, tokenizer, CORPUS, index=0), abs=1e-5)
    model.config.id2label = {0: "LABEL_0", 1: "LABEL_1"}  # no name: index 1
    assert M.toxicity(CORPUS, (model, tokenizer)) == pytest.approx([1 - s for s in scores], abs=1e-5)


def test_toxicity_from_pipeline(classifier_dir):
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(classifier_dir), tokenizer=str(classifier_dir))
    expected = M.toxicity(CORPUS, classifier_dir)
    assert M.toxicity(CORPUS, pipe) == pytest.approx(expected, abs=1e-5)
    # The pipeline's own "toxic" scores agree.
    outputs = pipe(CORPUS, top_k=None)
    assert [next(d["score"] for d in out if d["label"] == "toxic") for out in outputs] == pytest.approx(
        expected, abs=1e-5
    )


def test_metrics_are_safe_in_threads():
    """Graders run in threads of one process: concurrent ROUGE / BLEU calls with different
    inputs each get their own scores (one shared evaluate module mixed their inputs)."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [([f"the cat {i} sat on the mat"] * (i % 7 + 1), [f"a cat {i} sat on a mat today"] * (i % 7 + 1))
            for i in range(48)]
    expected = [(M.rouge(p, r), M.bleu(p, r)["bleu"]) for p, r in jobs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda job: (M.rouge(*job), M.bleu(*job)["bleu"]), jobs * 3))
    assert got == expected * 3
