"""07-evaluation (Evaluating language models): the reference solution.

Generated from assignments/07-evaluation/07-evaluation.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_07_evaluation.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_07_evaluation` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 07 – Evaluating language models: perplexity, what metrics miss, a benchmark harness, judges
#
# Every other lab ends with a number: ROUGE-L, accuracy, F1. This lab is about the numbers
# themselves. A metric is a **measurement**: it has a definition you must implement exactly, noise you
# must quantify, and blind spots you must know before you trust it to choose between two models.
#
# You will:
#
# 1. compute **perplexity** by hand for a decoder-only model (tiny-gpt) and an encoder-decoder
#    (tiny-flan), the same number for any batch size (q1);
# 2. build a **contrast set** test of ROUGE-L, BLEU and a BERTScore-style embedding score that you
#    write: faithful paraphrases against summaries with one factual error (q2);
# 3. write a **multiple-choice harness** that scores options by log-likelihood, with and without the
#    context, summed or averaged per token, with **bootstrap confidence intervals** (q3);
# 4. check a benchmark for **contamination** with n-gram overlap (q4);
# 5. use tiny-flan as a **judge**, measure its **position bias** and the mitigation of judging both
#    orders, and measure agreement with **Cohen's kappa** (q5);
# 6. say which of these you would trust to choose between two fine-tuned models (q6).
#
# **How it is graded (28 points + 3 staff-graded).** Each question says what its tests check. Run
# the `grader.check("qN")` cell after a question: it runs the *public* tests. When you submit, hidden
# tests call **your functions** again on held-out inputs (the validation split, other seeds), so a
# number you print or store in a variable earns nothing by itself: the functions must compute it.
# Nothing here trains a model; the whole notebook runs in about a minute on one CPU core.

# %%
import math
import re
import collections

import numpy as np
import torch
import torch.nn.functional as F

from course_lib import data, metrics, evaluation
from course_lib.models import zoo

torch.manual_seed(0)

gpt, gpt_tok = zoo.load("tiny-gpt")            # GPT-2 style, 1 M parameters, trained on support-desk chats
gpt.eval()
flan, flan_tok = zoo.load("tiny-flan")         # T5 style, 1.5 M parameters, follows instructions
flan.eval()
encoder, enc_tok = zoo.load("tiny-encoder")    # a small BERT whose token vectors we compare in q2
encoder.eval()

dialogsum = data.load("dialogsum")
test_dialogues = list(dialogsum["test"])        # {"id", "dialogue", "summary", "topic"}

# %% [markdown]
# ## Question 1 – Perplexity by hand (5 points)
#
# A language model assigns each token a probability given what came before. Over a corpus of texts,
#
# $$\text{perplexity} = \exp\Big(\frac{\sum_{\text{scored tokens}} -\log p(\text{token} \mid \text{context})}{\text{number of scored tokens}}\Big).$$
#
# The sum runs over **all scored tokens of all texts together**: every token weighs the same, whatever
# text or batch it is in. It is *not* the mean of per-text perplexities, nor the exponential of the mean
# of per-batch losses; either of those changes with the batch size or with how long the texts are.
#
# Write
#
# * `causal_perplexity(model, tokenizer, texts, batch_size=8)` for a decoder-only model (tiny-gpt).
#   Tokenise each text with `tokenizer(text)["input_ids"]` (tiny-gpt's tokenizer adds no special
#   tokens). Position `t` predicts token `t + 1`, so each text's **first token is not scored**. Batch
#   `batch_size` texts at a time: **pad on the right** (`pad_right` below does it: any pad id, an
#   attention mask of 0 on the padding), and give padded positions the label `-100` so they are not scored. (Why the right: a
#   GPT-2 computes positions as 0, 1, 2, ... from the start of the row unless you pass
#   `position_ids`, so left padding shifts every position of a short text and changes its score.)
# * `seq2seq_perplexity(model, tokenizer, sources, targets, batch_size=8)` for an encoder-decoder
#   (tiny-flan): `targets[i]` is scored given `sources[i]`. Tokenise both with `tokenizer(text)["input_ids"]`
#   (the T5 tokenizer appends `</s>`, which **is** scored: the model must also predict where the
#   answer ends), pad sources and targets on the right, pass the padded targets with `-100` on the
#   padding as `labels=` (the model shifts them right to make its decoder inputs).
#
# Run the model under `torch.no_grad()`; compute the log-probabilities from the logits yourself
# (`F.cross_entropy(..., reduction="sum", ignore_index=-100)` or `log_softmax` and `gather`). Return a
# Python float.
#
# **Graded:** public tests on shapes and a two-text example (1 point). Hidden tests compare both
# functions with `course_lib.metrics.perplexity` (the library's implementation, which you must not
# call inside yours: a function that uses it fails the question) on held-out texts of very different
# lengths at batch sizes 1, 5 and 12, relative tolerance `1e-4` (2 points each).

# %%
def pad_right(rows, pad_id):
    # lists of token ids -> (ids, attention mask): two (len(rows), longest) long tensors, padded on the right
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, :len(r)] = 1
    return ids, mask

# %%
def causal_perplexity(model, tokenizer, texts, batch_size=8):
    # BEGIN SOLUTION
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    total_nll, total_tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            ids, mask = pad_right([tokenizer(t)["input_ids"] for t in texts[start:start + batch_size]], pad_id)
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
            labels = ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
            total_nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1),
                                         ignore_index=-100, reduction="sum").item()
            total_tokens += int((labels != -100).sum())
    return math.exp(total_nll / total_tokens)
    # END SOLUTION


def seq2seq_perplexity(model, tokenizer, sources, targets, batch_size=8):
    # BEGIN SOLUTION
    pad_id = tokenizer.pad_token_id
    total_nll, total_tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(targets), batch_size):
            x, x_mask = pad_right([tokenizer(s)["input_ids"] for s in sources[start:start + batch_size]], pad_id)
            y, y_mask = pad_right([tokenizer(t)["input_ids"] for t in targets[start:start + batch_size]], pad_id)
            labels = y.masked_fill(y_mask == 0, -100)
            logits = model(input_ids=x, attention_mask=x_mask, labels=labels).logits
            total_nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1),
                                         ignore_index=-100, reduction="sum").item()
            total_tokens += int((labels != -100).sum())
    return math.exp(total_nll / total_tokens)
    # END SOLUTION

# %% [markdown]
# Perplexity measures how much a text looks like what the model was trained on. tiny-gpt learnt from
# support-desk chats; tiny-flan learnt, among other things, to summarise dialogues, so a summary
# should be *less* surprising next to its own dialogue than next to someone else's.

# %%
support = [r["text"] for r in data.load("toxicity")["validation"]][:40]
kb_text = [p["text"] for p in data.load("kb_passages")["corpus"]][:40]
for name, texts in (("support-desk messages", support), ("dialogues", [d["dialogue"] for d in test_dialogues[:40]]),
                    ("knowledge-base passages", kb_text)):
    print(f"tiny-gpt perplexity on {name:24s} {causal_perplexity(gpt, gpt_tok, texts):10.1f}")

slice_ = test_dialogues[:40]
summaries = [d["summary"] for d in slice_]
right = [evaluation.OWN_TEMPLATE.format(dialogue=d["dialogue"]) for d in slice_]
wrong = right[1:] + right[:1]                     # every summary next to another dialogue
print(f"\ntiny-flan perplexity of the reference summaries given their own dialogue: {seq2seq_perplexity(flan, flan_tok, right, summaries):.3f}")
print(f"                                                given another dialogue:    {seq2seq_perplexity(flan, flan_tok, wrong, summaries):.3f}")

# %% [markdown]
# ## Question 2 – What overlap metrics miss (6 points)
#
# ROUGE and BLEU count words a candidate shares with a reference. A summary can share almost every word
# with the reference and still be **wrong** (the wrong person, the wrong day, a missing "not"), while a
# faithful summary in other words shares few. `evaluation.contrast_set("test")` builds exactly that test
# from the dialogue data: for each dialogue, its reference summary, a **faithful paraphrase** (synonyms
# swapped in, every fact kept) and **one-fact errors** in the reference's own words:
#
# * `speaker`: `#Person1#` and `#Person2#` swapped;
# * `fact`: one number, day, month or city changed;
# * `negation`: the first verb negated.
#
# A metric *ranks a pair correctly* when it scores the paraphrase above the error (both compared with
# the reference).
#
# BERTScore compares **contextual token vectors** instead of words: each candidate token is matched with
# its most similar reference token, and the reverse. Write
#
# * `token_vectors(text)`: run `encoder` on `enc_tok(text, truncation=True, max_length=128,
#   return_tensors="pt")` under `torch.no_grad()`, take `last_hidden_state[0]`, **drop the special
#   tokens** (`<cls>` and `</s>`; `enc_tok(..., return_special_tokens_mask=True)` marks them, and pop that
#   mask before calling the encoder), and L2-normalise each row. Return a float32 numpy array `(n_tokens, 128)`.
# * `bertscore_f1(candidate, reference)`: with `C = token_vectors(candidate)`, `R = token_vectors(reference)`
#   and the cosine matrix `S = C @ R.T`: precision = mean over candidate tokens of their best match
#   (`S.max(1).mean()`), recall = mean over reference tokens of theirs (`S.max(0).mean()`), and
#   F1 = 2PR / (P + R). Return a float.
# * `pairwise_accuracy(good, bad)`: the share of pairs `i` with `good[i] > bad[i]`; a **tie counts one
#   half** (a metric that cannot tell two texts apart has not ranked them).
# * `metric_accuracies(items)`: for the contrast items, every (paraphrase, error) pair in order (items in
#   order, then each item's errors in order), the pairwise accuracy of `"rougeL"`
#   (`metrics.rouge_per_example(...)["rougeL"]`), `"bleu"` (sentence BLEU:
#   `metrics.bleu([candidate], [reference])["bleu"]` for each candidate alone, no smoothing) and
#   `"bertscore"` (your `bertscore_f1`). Return a dict of the three floats.
#
# **Graded:** public tests (1 point). Hidden tests: `token_vectors` on four texts, `atol=1e-4` (1 point);
# `bertscore_f1` on twelve held-out pairs, `atol=1e-4` (2 points); `pairwise_accuracy` on inputs with
# ties (1 point); `metric_accuracies` recomputed on 25 held-out contrast items (validation split)
# against the reference, `atol=1e-6` (1 point).

# %%
def token_vectors(text):
    # BEGIN SOLUTION
    enc = enc_tok(text, truncation=True, max_length=128, return_tensors="pt", return_special_tokens_mask=True)
    special = enc.pop("special_tokens_mask")[0].bool()
    with torch.no_grad():
        hidden = encoder(**enc).last_hidden_state[0]
    return F.normalize(hidden[~special], dim=-1).numpy().astype(np.float32)
    # END SOLUTION


def bertscore_f1(candidate, reference):
    # BEGIN SOLUTION
    sim = token_vectors(candidate) @ token_vectors(reference).T
    precision, recall = float(sim.max(1).mean()), float(sim.max(0).mean())
    return 2 * precision * recall / (precision + recall)
    # END SOLUTION


def pairwise_accuracy(good, bad):
    # BEGIN SOLUTION
    wins = [1.0 if g > b else 0.5 if g == b else 0.0 for g, b in zip(good, bad)]
    return sum(wins) / len(wins)
    # END SOLUTION


def metric_accuracies(items):
    # BEGIN SOLUTION
    pairs = [(it["paraphrase"], e["text"], it["reference"]) for it in items for e in it["errors"]]
    good = [p for p, _, _ in pairs]
    bad = [b for _, b, _ in pairs]
    refs = [r for _, _, r in pairs]
    out = {}
    out["rougeL"] = pairwise_accuracy(metrics.rouge_per_example(good, refs)["rougeL"],
                                      metrics.rouge_per_example(bad, refs)["rougeL"])
    out["bleu"] = pairwise_accuracy([metrics.bleu([g], [r])["bleu"] for g, r in zip(good, refs)],
                                    [metrics.bleu([b], [r])["bleu"] for b, r in zip(bad, refs)])
    out["bertscore"] = pairwise_accuracy([bertscore_f1(g, r) for g, r in zip(good, refs)],
                                         [bertscore_f1(b, r) for b, r in zip(bad, refs)])
    return out
    # END SOLUTION

# %%
contrast = evaluation.contrast_set("test")
item = contrast[0]
print("reference: ", item["reference"])
print("paraphrase:", item["paraphrase"])
for e in item["errors"]:
    print(f"{e['kind']:10s}", e["text"])
for text in [item["paraphrase"]] + [e["text"] for e in item["errors"]]:
    print(f"ROUGE-L {metrics.rouge_per_example([text], [item['reference']])['rougeL'][0]:.3f}  "
          f"BERTScore {bertscore_f1(text, item['reference']):.3f}  {text[:60]}")

accuracies = metric_accuracies(contrast)
print(f"\n{sum(len(it['errors']) for it in contrast)} pairs: share ranked right (paraphrase above error)")
for name, acc in accuracies.items():
    print(f"  {name:10s} {acc:.3f}")

# %% [markdown]
# ## Question 3 – A multiple-choice harness with confidence intervals (7 points)
#
# Benchmarks such as MMLU score a model on multiple-choice questions without letting it write
# anything: each option is scored by the **log-likelihood** the model gives it as the answer, and the
# best-scoring option is the model's choice. Two choices of the harness change the result: whether
# the prompt holds the **context** the question is about, and whether an option's score is the **sum**
# of its tokens' log-probabilities (which favours short options) or the **mean per token**.
#
# Two benchmarks are given, each a list of items `{"id", "question", "options", "label", "prompts"}`
# (`label` is the index of the right option):
#
# * `evaluation.topic_items("test")`: the topic of a dialogue, four options; `prompts["open"]` holds the
#   dialogue, `prompts["closed"]` only the instruction (a *no-input baseline*: what the priors alone give);
# * `evaluation.mc_items("test")`: questions about the Oressa Isles; `prompts["open"]` gives the passage
#   that answers it, `prompts["closed"]` the question alone. The wrong options are answers of the same
#   kind (other towns for a town).
#
# Write
#
# * `option_logprobs(prompt, options)`: with tiny-flan, the **sum** of the log-probabilities of each
#   option's tokens as the answer to `prompt` (tokenise each option with `flan_tok(option)["input_ids"]`,
#   `</s>` included) and its **number of tokens**: two lists of floats. Compute it yourself (the same
#   forward pass as in q1, with the option as `labels`); `course_lib.generation.target_logprobs` is the
#   library's version, which the hidden tests compare with and which you may not call here.
# * `choose(sums, counts, normalise)`: the index of the best option by `sums[i]` (or by
#   `sums[i] / counts[i]` when `normalise`); on a tie, the **lowest index**.
# * `mc_correct(items, condition, normalise)`: for each item, `1` if `choose` on
#   `option_logprobs(item["prompts"][condition], item["options"])` picks `item["label"]`, else `0`.
# * `bootstrap_ci(correct, n_boot=2000, seed=0, level=0.95)`: the mean of `correct` and a percentile
#   bootstrap interval, exactly this way: `rng = np.random.default_rng(seed)`, one call
#   `idx = rng.integers(0, n, size=(n_boot, n))`, the mean of each resample, and `np.percentile` of those
#   means at `100 * (1 - level) / 2` and `100 * (1 + level) / 2`. Return `(mean, low, high)` as floats.
# * `paired_bootstrap(a, b, n_boot=2000, seed=0, level=0.95)`: the same for the **difference**
#   `mean(a) - mean(b)` of two results on the *same* items: resample item indices once per round (the
#   same `idx` for both), so each item keeps its pair. Return `(difference, low, high)`.
#
# **Graded:** public tests (1 point). Hidden tests: `option_logprobs` against `target_logprobs` on
# held-out prompts, `atol=1e-4` (2 points); `choose` with ties (1 point); `bootstrap_ci` and
# `paired_bootstrap` against the reference, `atol=1e-9` (1 point each); your harness recomputed on 40
# held-out topic items: accuracy with the dialogue at least 0.3 above the no-input baseline and within
# 0.05 of the reference's (1 point). `target_logprobs` used in these functions fails the question.

# %%
def option_logprobs(prompt, options):
    # BEGIN SOLUTION
    enc = flan_tok(prompt, return_tensors="pt")
    labels, mask = pad_right([flan_tok(o)["input_ids"] for o in options], flan_tok.pad_token_id)
    n = len(options)
    with torch.no_grad():
        logits = flan(input_ids=enc["input_ids"].expand(n, -1), attention_mask=enc["attention_mask"].expand(n, -1),
                      labels=labels.masked_fill(mask == 0, -100)).logits.float()
    token_lp = torch.log_softmax(logits, dim=-1).gather(-1, labels[..., None])[..., 0] * mask
    return token_lp.sum(-1).tolist(), mask.sum(-1).float().tolist()
    # END SOLUTION


def choose(sums, counts, normalise):
    # BEGIN SOLUTION
    scores = [s / c for s, c in zip(sums, counts)] if normalise else list(sums)
    best = 0
    for i, s in enumerate(scores):
        if s > scores[best]:
            best = i
    return best
    # END SOLUTION


def mc_correct(items, condition, normalise):
    # BEGIN SOLUTION
    out = []
    for it in items:
        sums, counts = option_logprobs(it["prompts"][condition], it["options"])
        out.append(int(choose(sums, counts, normalise) == it["label"]))
    return out
    # END SOLUTION


def bootstrap_ci(correct, n_boot=2000, seed=0, level=0.95):
    # BEGIN SOLUTION
    x = np.asarray(correct, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    means = x[idx].mean(axis=1)
    low, high = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(x.mean()), float(low), float(high)
    # END SOLUTION


def paired_bootstrap(a, b, n_boot=2000, seed=0, level=0.95):
    # BEGIN SOLUTION
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return bootstrap_ci(d, n_boot, seed, level)
    # END SOLUTION

# %%
benchmarks = {"topic": evaluation.topic_items("test", n=100), "Oressa facts": evaluation.mc_items("test", n=150)}
results = {}
for bench, items in benchmarks.items():
    for condition in ("closed", "open"):
        for normalise in (False, True):
            correct = mc_correct(items, condition, normalise)
            results[bench, condition, normalise] = correct
            mean, low, high = bootstrap_ci(correct)
            print(f"{bench:13s} {condition:6s} {'mean' if normalise else 'sum ':4s} accuracy {mean:.3f}  95% CI [{low:.3f}, {high:.3f}]")
print("(chance: 0.25)")
for bench in benchmarks:
    d, low, high = paired_bootstrap(results[bench, "open", False], results[bench, "closed", False])
    print(f"{bench}: open - closed {d:+.3f} [{low:+.3f}, {high:+.3f}]")
    d, low, high = paired_bootstrap(results[bench, "closed", True], results[bench, "closed", False])
    changed = sum(a != b for a, b in zip(results[bench, "closed", True], results[bench, "closed", False]))
    print(f"{bench}: closed, mean - sum {d:+.3f} [{low:+.3f}, {high:+.3f}] ({changed} items change outcome)")

# %% [markdown]
# The topic benchmark behaves as a benchmark should: with the dialogue, tiny-flan is nearly always
# right; without it, near chance. On the Oressa facts the passage helps too, but less: with it
# tiny-flan picks the right one of four answers about half the time, without it little better than
# chance. Naming a topic it was trained on is easy; picking a particular name out of a passage is what
# a 1.5 M-parameter reader does only sometimes (05-rag's constrained decoding helps it by offering only
# the passage's own words). With 150 items the intervals are about ±0.07 wide, so whether the mean or
# the sum is "better" on the Oressa facts is noise: the paired interval says so.

# %% [markdown]
# ## Question 4 – Contamination (4 points)
#
# A benchmark item that was in the training data measures memory, not skill. The usual check looks
# for long word n-grams of each test item in the training corpus. Write
#
# * `ngrams(text, n)`: the **set** of `n`-grams (tuples of `n` words) of `text`, where the words are
#   `re.findall(r"[a-z0-9]+", text.lower())` (case and punctuation ignored); empty when the text has
#   fewer than `n` words;
# * `overlap(text, corpus_ngrams, n)`: the share of the text's n-grams found in the set
#   `corpus_ngrams`; `0.0` for a text with no n-grams;
# * `flag_contaminated(items, documents, n=8, threshold=0.5)`: the ids of the items whose text
#   `item_text(item)` (given: the question and its options, as a benchmark file prints them) has an
#   overlap **of at least** `threshold` with the n-grams of all documents together, in item order.
#
# `evaluation.leaky_corpus(items, seed)` builds a "crawl" of dialogues with some items planted in it,
# as a quiz page would print them, and returns the documents and the planted ids.
#
# **Graded:** public tests (1 point); hidden tests on `ngrams` and `overlap` with case, punctuation and
# short texts (1 point each), and `flag_contaminated` on a held-out corpus with other items and another seed, compared with
# the reference's flags (1 point).

# %%
def item_text(item):
    return f"{item['question']} Options: {', '.join(item['options'])}."

# %%
def ngrams(text, n):
    # BEGIN SOLUTION
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
    # END SOLUTION


def overlap(text, corpus_ngrams, n):
    # BEGIN SOLUTION
    grams = ngrams(text, n)
    return len(grams & corpus_ngrams) / len(grams) if grams else 0.0
    # END SOLUTION


def flag_contaminated(items, documents, n=8, threshold=0.5):
    # BEGIN SOLUTION
    corpus = set()
    for doc in documents:
        corpus |= ngrams(doc, n)
    return [it["id"] for it in items if overlap(item_text(it), corpus, n) >= threshold]
    # END SOLUTION

# %%
quiz_items = evaluation.mc_items("test")
documents, planted = evaluation.leaky_corpus(quiz_items, seed=0)
for n in (3, 8, 13):
    flagged = set(flag_contaminated(quiz_items, documents, n=n))
    hits = len(flagged & set(planted))
    print(f"n={n:2d}: {len(flagged):3d} flagged, {hits} of {len(planted)} planted items found, {len(flagged) - hits} clean items flagged")

# %% [markdown]
# Short n-grams flag clean items that merely share a question template ("In which year was ... founded")
# with a planted one; long ones miss items shorter than `n` words. GPT-3's authors used 13-grams over
# much longer items.

# %% [markdown]
# ## Question 5 – A judge and its biases (6 points)
#
# "LLM-as-judge" asks a model which of two outputs is better. Two judges, both tiny-flan:
#
# * a **likelihood judge**: the summary tiny-flan finds more likely as the summary of the dialogue
#   (mean log-probability per token given `evaluation.OWN_TEMPLATE.format(dialogue=...)`) wins. It
#   reads the source, which ROUGE never does.
# * a **pairwise judge**: both summaries in one prompt, `evaluation.JUDGE_PROMPT.format(dialogue=...,
#   first=..., second=...)`, and the judge's answer is whichever of `"A"` and `"B"` it finds more likely.
#   tiny-flan was never trained on this task, which makes it a clear case of what a judge does when its
#   answer does not come from the content.
#
# `evaluation.judge_pairs("test")` gives one row per (dialogue, error): `{"dialogue", "reference",
# "paraphrase", "error", "kind"}`. Write
#
# * `likelihood_margin(dialogue, x, y)`: mean log-probability per token of `x` minus that of `y`;
#   the judge prefers `x` when the margin is `>= 0`;
# * `judge_margin(dialogue, first, second)`: log p(`"A"`) minus log p(`"B"`) for the judge prompt with
#   `first` as A and `second` as B (the options `["A", "B"]`, each with its `</s>`);
#
# Score with `target_logprobs` (imported below: the library's version of your q3 `option_logprobs`,
# so a slip in q3 does not cost points here too).
# * `judge_prefers_x(dialogue, x, y, both_orders)`: `True` when the pairwise judge prefers `x`. With
#   one order, `x` is A: `judge_margin(dialogue, x, y) >= 0`. With both orders, add the evidence of the
#   swapped prompt: `judge_margin(dialogue, x, y) - judge_margin(dialogue, y, x) >= 0`;
# * `position_bias(pairs)`: over the rows, ask the one-order judge about `(reference, error)` and about
#   `(error, reference)`, and return the share of those verdicts that chose **A** (0.5: no overall
#   lean to either position, which does not yet mean the content decides);
# * `cohen_kappa(a, b)`: agreement of two lists of labels beyond chance,
#   `(p_o - p_e) / (1 - p_e)`, with `p_o` the share of positions where they agree and `p_e` the sum over
#   labels of the product of the two lists' shares of that label; `1.0` when `p_e == 1` (both lists
#   give one and the same label everywhere).
#
# **Graded:** public tests (1 point); hidden tests: `likelihood_margin` and `judge_margin` against the reference on held-out
# rows, `atol=1e-4` (1 point); `judge_prefers_x` in both modes (1 point); `cohen_kappa` on label lists
# with two and three labels and the `p_e == 1` case, `atol=1e-12` (1 point); recomputed on 30 held-out
# rows, your position bias within 0.05 of the reference's (1 point), and your both-orders verdict the
# same whichever summary is put first, on every row (1 point).

# %%
from course_lib.generation import target_logprobs

# %%
def likelihood_margin(dialogue, x, y):
    # BEGIN SOLUTION
    sums, counts = target_logprobs(flan, flan_tok, evaluation.OWN_TEMPLATE.format(dialogue=dialogue), [x, y])
    return float(sums[0] / counts[0] - sums[1] / counts[1])
    # END SOLUTION


def judge_margin(dialogue, first, second):
    # BEGIN SOLUTION
    sums, _ = target_logprobs(flan, flan_tok, evaluation.JUDGE_PROMPT.format(dialogue=dialogue, first=first, second=second),
                              list(evaluation.JUDGE_LABELS))
    return float(sums[0] - sums[1])
    # END SOLUTION


def judge_prefers_x(dialogue, x, y, both_orders):
    # BEGIN SOLUTION
    margin = judge_margin(dialogue, x, y)
    if both_orders:
        margin -= judge_margin(dialogue, y, x)
    return bool(margin >= 0)
    # END SOLUTION


def position_bias(pairs):
    # BEGIN SOLUTION
    said_a = []
    for r in pairs:
        said_a.append(judge_margin(r["dialogue"], r["reference"], r["error"]) >= 0)
        said_a.append(judge_margin(r["dialogue"], r["error"], r["reference"]) >= 0)
    return sum(said_a) / len(said_a)
    # END SOLUTION


def cohen_kappa(a, b):
    # BEGIN SOLUTION
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = collections.Counter(a), collections.Counter(b)
    p_e = sum(count_a[k] / n * count_b[k] / n for k in set(count_a) | set(count_b))
    if p_e == 1:
        return 1.0
    return (p_o - p_e) / (1 - p_e)
    # END SOLUTION

# %%
pairs = evaluation.judge_pairs("test")
truth = [True] * len(pairs)          # the reference is the faithful one in every row
lik_ref = [likelihood_margin(r["dialogue"], r["reference"], r["error"]) >= 0 for r in pairs]
lik_par = [likelihood_margin(r["dialogue"], r["paraphrase"], r["error"]) >= 0 for r in pairs]
print(f"likelihood judge prefers the reference over the error:  {np.mean(lik_ref):.3f}")
print(f"likelihood judge prefers the paraphrase over the error: {np.mean(lik_par):.3f}")
for kind in ("speaker", "fact", "negation"):
    idx = [i for i, r in enumerate(pairs) if r["kind"] == kind]
    print(f"   {kind:9s} reference {np.mean([lik_ref[i] for i in idx]):.3f}   paraphrase {np.mean([lik_par[i] for i in idx]):.3f}")

one = [judge_prefers_x(r["dialogue"], r["reference"], r["error"], False) for r in pairs]
swapped = [not judge_prefers_x(r["dialogue"], r["error"], r["reference"], False) for r in pairs]
both = [judge_prefers_x(r["dialogue"], r["reference"], r["error"], True) for r in pairs]
print(f"\npairwise judge: says A in {position_bias(pairs):.3f} of its verdicts")
print(f"  right with the reference as A {np.mean(one):.3f}, as B {np.mean(swapped):.3f}, judging both orders {np.mean(both):.3f}")
print(f"  Cohen's kappa between the two orders' verdicts: {cohen_kappa(one, swapped):.3f}")

# %% [markdown]
# Read these before q6: the likelihood judge reads the dialogue (it rejects most one-fact errors) but
# it is also a **style** judge: a paraphrase in words it would not have chosen loses to an error in its
# own words. The pairwise judge's verdict follows the position, not the content: swap the two
# summaries and nearly every one-order verdict flips. Whether it leans to "A" or to "B" overall, and
# how far, depends on the build of tiny-flan (on the course's builds from 0.6 to 0.9 of its verdicts
# said "A"), so the share of "A" alone can understate the bias; the verdicts unchanged by swapping show
# it. Judging both orders removes that bias, but cannot add the skill the judge lacks.

# %% [markdown]
# ## Question 6 – Which would you trust? (3 points, graded by staff)
#
# Two teams fine-tuned summarisers and each claims theirs is better. Using your numbers from q2, q3 and
# q5, say in six to ten sentences: (a) what ROUGE-L, BLEU and your BERTScore can and cannot decide here;
# (b) what you would need to know about a model judge before trusting its verdicts, and how you would
# run it; (c) how large a difference on how many items you would need before believing it.

# %% [markdown]
# _A model answer._ ROUGE-L and BLEU ranked the faithful paraphrase above a one-fact error in only
# about a tenth of the contrast pairs (BLEU never), and BERTScore in about a sixth: they reward
# sharing the reference's words, so a model that copies the reference's phrasing with a wrong name
# beats one that is right in other words. They are fine as cheap regression checks on the same model,
# not to decide between two. A judge must first be validated against human labels with a
# chance-corrected agreement (Cohen's kappa), and it must be run on both orders: the pairwise judge's
# one-order verdicts flipped whenever the two summaries were swapped (on our build it said "A" in most
# of them), and it was right about as often as a coin; judging both orders removed the bias but not
# the lack of skill. The likelihood judge read the dialogue (about 95 % right against the reference)
# but preferred an error in its own words over a paraphrase, a style bias that would favour the team
# whose model writes like the judge. Finally, a difference counts only when its paired bootstrap
# interval excludes zero on a fixed item set checked for contamination: with 150 items the intervals
# are about ±0.07, so on the Oressa facts the passage's gain (about +0.27) is real, while the choice
# between the sum and the mean per token is not.

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 07-evaluation.ipynb`, then
# submit with `course submit 07-evaluation.ipynb --student YOUR_ID`.
