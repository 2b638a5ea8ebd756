"""06-pretraining (Pre-training and scaling laws): the reference solution.

Generated from assignments/06-pretraining/06-pretraining.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_06_pretraining.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_06_pretraining` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 06 – Pre-training: tokenisation, counting compute and memory, scaling laws on tiny models
#
# Before a model can be fine-tuned, prompted or aligned, somebody pre-trains it: a next-token
# predictor trained on as much text as the compute budget allows. Three questions decide how that
# budget is spent, and this lab answers each one on models small enough to train on your laptop's
# CPU in seconds:
#
# | question | what you do | points |
# | --- | --- | --- |
# | q1 | **byte-pair encoding** by hand: learn merges, encode, decode; compression against characters and the course tokenizer | 5 |
# | q2 | **counting**: a GPT-2's parameters by formula, memory for inference and for training with Adam at fp32/bf16/int8/int4, what fits on a card | 4 |
# | q3 | **scaling laws**: an IsoFLOP sweep of tiny GPT-2s at three compute budgets, each budget's best model size, and the exponent of $N_{opt} \propto C^a$ | 6 |
# | q4 | **Chinchilla arithmetic**: compute-optimal size and tokens for a budget; which famous models were under-trained | 2 |
# | q5 | **continued pre-training** of tiny-gpt on the knowledge base: perplexity on the new domain and on the old one | 5 |
# | q6 | written: what the sweep says, and what it cannot say at this scale | 3 |
#
# Everything runs on one CPU thread. The whole notebook takes about a minute and a half, most of it
# q3's twelve training runs.

# %%
import copy
import json
import math
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib import data, pretraining
from course_lib.models import zoo

torch.manual_seed(0)

gpt, gpt_tok = zoo.load("tiny-gpt")      # GPT-2 style, 2 layers, 128 wide, trained on support-desk chats (q2, q5)
gpt.eval()
dialogsum = data.load("dialogsum")
train_dialogues = [r["dialogue"] for r in dialogsum["train"]]               # q1: what the tokenizer learns from
validation_dialogues = [r["dialogue"] for r in dialogsum["validation"]][:100]

# %% [markdown]
# ## Question 1 – Byte-pair encoding by hand (5 points)
#
# A model reads tokens, not characters. **Byte-pair encoding** (BPE) builds a vocabulary bottom-up:
# start from single characters, and repeatedly **merge the most frequent adjacent pair** of symbols
# into a new symbol. Frequent words end up as one token; rare words are spelled in pieces.
#
# Here a *word* is what `text.split()` gives (split on whitespace), written as the tuple of its
# characters followed by the end-of-word symbol `END = "</w>"`: `"low"` is `("l", "o", "w", "</w>")`.
# Tokens never cross words.
#
# * `learn_bpe(texts, num_merges)`: count the words of all `texts`. Then, `num_merges` times:
#   * count every adjacent pair of symbols in every word, **weighted by the word's count**; a pair that
#     occurs twice in one word counts twice (in `("a", "a", "a", "</w>")` the pair `("a", "a")` occurs
#     twice);
#   * pick the most frequent pair; **ties go to the smallest pair in Python's order** (compare the
#     tuples: `("a", "b") < ("a", "c") < ("b", "a")`);
#   * replace it in every word, **left to right, without overlap** (`("a", "a", "a", "</w>")` becomes
#     `("aa", "a", "</w>")`), by the concatenated symbol (`"a" + "a"`).
#
#   Stop early when no pair is left. Return the merges in the order learned, a list of pairs
#   `(left, right)`.
# * `bpe_encode(text, merges)`: the tokens (a list of strings) of every word of `text`, in order: each
#   word starts as characters + `"</w>"`, and the merges are applied **in the order they were learned**
#   (equivalently: repeatedly merge the adjacent pair that was learned earliest, until none of the
#   pairs present was learned). A text repeats its words: remember each distinct word's tokens.
# * `bpe_decode(tokens)`: the text back, its words separated by single spaces
#   (`bpe_decode(bpe_encode(t, m)) == " ".join(t.split())`).
#
# `merge_pair(word, pair)`, the word (a tuple of symbols) with every occurrence of `pair` merged, left
# to right without overlap, serves both; it is not graded on its own.
#
# **Graded:** a public test on a tiny corpus; hidden tests compare your merges with the reference's on
# held-out corpora built to separate the rules above (ties, repeated symbols, word counts), and your
# encoding of held-out dialogues with merges learnt from the training dialogues.

# %%
END = "</w>"


def merge_pair(word, pair):
    # BEGIN SOLUTION
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == pair[0] and word[i + 1] == pair[1]:
            out.append(word[i] + word[i + 1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)
    # END SOLUTION


def learn_bpe(texts, num_merges):
    # BEGIN SOLUTION
    words = Counter(tuple(w) + (END,) for text in texts for w in text.split())
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        top = max(pairs.values())
        best = min(pair for pair, count in pairs.items() if count == top)
        merges.append(best)
        words = Counter({merge_pair(word, best): count for word, count in words.items()})
    return merges
    # END SOLUTION


def bpe_encode(text, merges):
    # BEGIN SOLUTION
    rank = {pair: i for i, pair in enumerate(merges)}
    known, tokens = {}, []
    for w in text.split():
        if w not in known:
            word = tuple(w) + (END,)
            while len(word) > 1:
                pair = min(zip(word, word[1:]), key=lambda p: rank.get(p, len(rank)))
                if pair not in rank:
                    break
                word = merge_pair(word, pair)
            known[w] = list(word)
        tokens += known[w]
    return tokens
    # END SOLUTION


def bpe_decode(tokens):
    # BEGIN SOLUTION
    return "".join(tokens).replace(END, " ").strip()
    # END SOLUTION

# %%
start = time.perf_counter()
merges = learn_bpe(train_dialogues, 300)
print(f"300 merges from {len(train_dialogues)} dialogues in {time.perf_counter() - start:.1f} s; the first ten: {merges[:10]}")


def tokens_per_word(texts, count):
    return sum(count(t) for t in texts) / sum(len(t.split()) for t in texts)


kb_texts = pretraining.kb_passages()[0][:60]
print(f"\n{'tokens per word':<34}{'dialogues':>10}{'knowledge base':>16}")
for name, count in (("characters (+ end of word)", lambda t: sum(len(w) + 1 for w in t.split())),
                    ("your BPE, 300 merges on dialogues", lambda t: len(bpe_encode(t, merges))),
                    ("the course tokenizer (4,099)", lambda t: len(gpt_tok.encode(t)))):
    print(f"{name:<34}{tokens_per_word(validation_dialogues, count):>10.2f}{tokens_per_word(kb_texts, count):>16.2f}")

sentence = kb_texts[0].split(".")[0] + "."
print("\n" + sentence)
print("your BPE:            ", bpe_encode(sentence, merges))
print("the course tokenizer:", [gpt_tok.decode([i]) for i in gpt_tok.encode(sentence)])

# %% [markdown]
# A tokenizer learnt from support dialogues knows *customer*, *order* and *thank*; it has never seen
# the knowledge base's towns and founders, and spells them letter by letter. The course tokenizer was
# trained on every course data set, the knowledge base included. Tokens per word is the price a model
# pays for a domain its tokenizer was not built for: longer sequences, more compute, a shorter
# effective context.

# %% [markdown]
# ## Question 2 – Counting parameters and memory (4 points)
#
# **Parameters.** `gpt2_parameters(vocab_size, n_positions, n_embd, n_layer, n_inner=None)`: the
# number `GPT2LMHeadModel(GPT2Config(...)).num_parameters()` reports, by formula. A GPT-2 has a token
# embedding ($V \times d$) and a position embedding ($P \times d$); each of its `n_layer` blocks has a
# layer norm, attention (one linear layer $d \to 3d$ for queries, keys and values, one $d \to d$ for the
# output), a second layer norm and an MLP ($d \to f \to d$, with $f$ = `n_inner`, or $4d$ when it is
# `None`); a final layer norm; and the output layer, which **shares** the token embedding's weight.
# Every linear layer has a bias; every layer norm a weight and a bias of size $d$.
#
# **Memory.** `memory_gb(n_params, precision, training=False)` in **GB of $10^9$ bytes** (cards are sold
# in these), for `precision` in `"fp32"` (4 bytes a value), `"bf16"` (2), `"int8"` (1), `"int4"` (half a
# byte):
#
# * inference: the weights only;
# * training with Adam (asked only for `"fp32"` and `"bf16"`): the weights and their gradients in
#   `precision`, Adam's two moment estimates in fp32, and, when `precision` is not fp32, a **master
#   copy** of the weights in fp32 (mixed precision updates the fp32 copy and casts it down). Ignore the
#   activations.
#
# `fits(n_params, precision, training, card_gb)`: `True` when `memory_gb` is **at most** `card_gb`.
#
# **Graded:** hidden tests compare your count with `num_parameters()` of held-out configurations built
# in the grader, and your memory figures with the rules above on held-out sizes, at the boundaries of
# the cards.

# %%
BYTES_PER_VALUE = {"fp32": 4, "bf16": 2, "int8": 1, "int4": 0.5}


def gpt2_parameters(vocab_size, n_positions, n_embd, n_layer, n_inner=None):
    # BEGIN SOLUTION
    d = n_embd
    f = n_inner if n_inner is not None else 4 * d
    block = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * f + f) + (f * d + d)
    return vocab_size * d + n_positions * d + n_layer * block + 2 * d
    # END SOLUTION


def memory_gb(n_params, precision, training=False):
    # BEGIN SOLUTION
    per_value = BYTES_PER_VALUE[precision]
    if not training:
        return n_params * per_value / 1e9
    master = 0 if precision == "fp32" else 4
    return n_params * (2 * per_value + 8 + master) / 1e9
    # END SOLUTION


def fits(n_params, precision, training, card_gb):
    # BEGIN SOLUTION
    return memory_gb(n_params, precision, training) <= card_gb
    # END SOLUTION

# %%
c = gpt.config
print(f"tiny-gpt: {gpt2_parameters(c.vocab_size, c.n_positions, c.n_embd, c.n_layer, c.n_inner):,} by formula, "
      f"{gpt.num_parameters():,} reported")

cards = (16, 24, 80)
sizes = {"125M": 125e6, "1.3B": 1.3e9, "7B": 7e9, "13B": 13e9, "70B": 70e9}
print(f"\n{'':>6}" + "".join(f"{p:>9}" for p in BYTES_PER_VALUE) + f"{'train bf16':>12}   fits a 16 / 24 / 80 GB card (inference bf16, training bf16)")
for name, n in sizes.items():
    row = "".join(f"{memory_gb(n, p):>9.1f}" for p in BYTES_PER_VALUE)
    inference = "/".join("yes" if fits(n, "bf16", False, g) else "no" for g in cards)
    training = "/".join("yes" if fits(n, "bf16", True, g) else "no" for g in cards)
    print(f"{name:>6}{row}{memory_gb(n, 'bf16', True):>12.1f}   {inference}  {training}")

# %% [markdown]
# Sixteen bytes a parameter for training whether the weights are fp32 or bf16: mixed precision saves
# compute and activation memory, not optimiser memory. A 7B model that serves from one 16 GB card in
# bf16 needs 112 GB to train with Adam. That gap is why the fine-tuning labs froze most of the model
# (PEFT) and why quantised inference (08) matters.

# %% [markdown]
# ## Question 3 – Scaling laws: an IsoFLOP sweep (6 points)
#
# Training a model of $N$ parameters on $D$ tokens costs about $C = 6ND$ floating-point operations
# (2 for the forward pass, 4 for the backward pass, per parameter per token). For a fixed budget $C$,
# a larger model sees fewer tokens. Hoffmann et al. (2022, "Chinchilla") trained many models at each of
# several budgets (an **IsoFLOP** curve per budget), found the model size with the lowest loss for each
# budget, and fitted $N_{opt} \propto C^a$ with $a \approx 0.5$: model size and data should grow
# together.
#
# You will do the same at a scale a CPU thread can afford: GPT-2s of one layer, 6 to 32 wide, trained
# on the characters of the knowledge base and the dialogues. `pretraining.train(width, layers, steps,
# seed)` trains one from scratch, for `steps` steps of `pretraining.BATCH` = 32 windows of
# `pretraining.CONTEXT` = 64 characters, and returns a dict with `N` (its parameters, without the
# position embeddings) and `val_loss` (the held-out loss, nats a character).
# `pretraining.parameters(pretraining.model(width, 1))` gives `N` without training.
#
# * `steps_for_budget(compute, n_params, batch, context)`: the number of whole steps that
#   $C = 6ND$ allows, each step seeing `batch * context` tokens: $\lfloor C / (6N \cdot batch \cdot context) \rfloor$,
#   **rounded down**, and at least 1.
# * `run_sweep(grid, seed=0)`: for each budget of `grid` (a dict `{budget: widths}`) and each width, a
#   one-layer model trained for `steps_for_budget` steps. Return a list of dicts
#   `{"budget", "width", "N", "D", "val_loss"}`, with `D = steps * batch * context`.
# * `isoflop_minimum(log_n, losses)`: one budget's fit. Sort the points by `log_n`; take the point
#   with the lowest loss (ties: the smaller `log_n`). If it has a neighbour on both sides, fit the
#   **parabola through it and its two neighbours** and return `(x, True)`, where `x` is the
#   parabola's vertex; if the parabola does not open upwards, or the best point is at an end of the
#   grid, return `(its log_n, False)`. A parabola through the whole grid would let far-away points
#   bend the fit.
# * `fit_exponent(budgets, n_opts)`: the slope $a$ of the least-squares line through the points
#   $(\log C, \log N_{opt})$.
#
# Run the sweep on `pretraining.GRID` (about a minute) and save it with
# `json.dump(runs, open("isoflop_runs.json", "w"))`.
#
# **Graded:** hidden tests check `steps_for_budget`, `isoflop_minimum` and `fit_exponent` on held-out
# inputs; check that `isoflop_runs.json` holds the whole grid with the right `N` and `D`, and re-train
# two of its points in the grader: your losses must be the ones the training gives (within 0.01). The
# last test fits your saved sweep with your functions: the best size must grow with the budget.

# %%
def steps_for_budget(compute, n_params, batch, context):
    # BEGIN SOLUTION
    return max(1, int(compute // (6 * n_params * batch * context)))
    # END SOLUTION


def run_sweep(grid, seed=0):
    # BEGIN SOLUTION
    runs = []
    for budget, widths in grid.items():
        for width in widths:
            n = pretraining.parameters(pretraining.model(width, 1))
            steps = steps_for_budget(budget, n, pretraining.BATCH, pretraining.CONTEXT)
            result = pretraining.train(width, 1, steps, seed)
            runs.append({"budget": budget, "width": width, "N": result["N"], "D": result["D"], "val_loss": result["val_loss"]})
    return runs
    # END SOLUTION


def isoflop_minimum(log_n, losses):
    # BEGIN SOLUTION
    points = sorted(zip(log_n, losses))
    xs, ys = [x for x, _ in points], [y for _, y in points]
    best = min(range(len(ys)), key=lambda i: (ys[i], xs[i]))
    if best == 0 or best == len(xs) - 1:
        return xs[best], False
    a, b, _ = np.polyfit(xs[best - 1:best + 2], ys[best - 1:best + 2], 2)
    if a <= 0:
        return xs[best], False
    return float(-b / (2 * a)), True
    # END SOLUTION


def fit_exponent(budgets, n_opts):
    # BEGIN SOLUTION
    return float(np.polyfit(np.log(budgets), np.log(n_opts), 1)[0])
    # END SOLUTION

# %%
start = time.perf_counter()
runs = run_sweep(pretraining.GRID)
print(f"{len(runs)} runs in {time.perf_counter() - start:.0f} s")
json.dump(runs, open("isoflop_runs.json", "w"))  # SOLUTION

optima = []
plt.figure(figsize=(6, 3.5))
for budget in pretraining.GRID:
    mine = [r for r in runs if r["budget"] == budget]
    log_n, losses = [math.log(r["N"]) for r in mine], [r["val_loss"] for r in mine]
    x, interior = isoflop_minimum(log_n, losses)
    optima.append(math.exp(x))
    print(f"C = {budget:.0e}: " + "  ".join(f"N={r['N']:>6,} D={r['D']:>9,} loss {r['val_loss']:.3f}" for r in mine)
          + f"\n   best N = {math.exp(x):,.0f} ({'parabola' if interior else 'at the edge of the grid'}), D/N = {budget / (6 * math.exp(x) ** 2):.0f}")
    plt.plot([r["N"] for r in mine], losses, "o-", label=f"C = {budget:.0e}")
    plt.axvline(math.exp(x), color=plt.gca().lines[-1].get_color(), linestyle=":")
plt.xscale("log"); plt.xlabel("parameters N"); plt.ylabel("held-out loss (nats / character)"); plt.legend(); plt.title("IsoFLOP curves")
plt.show()
a = fit_exponent(list(pretraining.GRID), optima)
print(f"N_opt ∝ C^{a:.2f} (Chinchilla: about 0.5)")

# %% [markdown]
# Each curve is a valley: too small a model cannot hold what the data teaches, too large a model
# sees too few characters to learn it. The valley moves right as the budget grows, and the best loss
# falls. The exponent you get from three budgets at this scale is a rough estimate; q6 asks what it
# can and cannot tell you.

# %% [markdown]
# ## Question 4 – Chinchilla arithmetic (2 points)
#
# Chinchilla's rule of thumb: a compute-optimal model sees about **20 tokens per parameter**. With
# $C = 6ND$ and $D = rN$, a budget $C$ gives $N = \sqrt{C / (6r)}$ and $D = rN$.
#
# * `training_flops(n_params, n_tokens)`: $6ND$.
# * `compute_optimal(compute, tokens_per_parameter=20)`: the pair `(N, D)` of floats, for any
#   `tokens_per_parameter`.
#
# The cell below puts the models the lectures name side by side. A model with fewer tokens per
# parameter than 20 is **under-trained** for its compute: the same compute would have given a lower
# loss to a smaller model trained on more tokens.
#
# **Graded:** a public test, and a hidden test of `compute_optimal` and `training_flops` on held-out
# budgets and ratios.

# %%
def training_flops(n_params, n_tokens):
    # BEGIN SOLUTION
    return 6 * n_params * n_tokens
    # END SOLUTION


def compute_optimal(compute, tokens_per_parameter=20):
    # BEGIN SOLUTION
    n = math.sqrt(compute / (6 * tokens_per_parameter))
    return n, tokens_per_parameter * n
    # END SOLUTION

# %%
named = {"GPT-3": (175e9, 300e9), "Gopher": (280e9, 300e9), "Chinchilla": (70e9, 1.4e12),
         "LLaMA-13B": (13e9, 1.0e12), "LLaMA-65B": (65e9, 1.4e12)}
print(f"{'model':<12}{'N':>8}{'D':>9}{'D/N':>7}{'C (FLOPs)':>11}{'N_opt for C':>13}   verdict")
for name, (n, d) in named.items():
    c = training_flops(n, d)
    n_opt, _ = compute_optimal(c)
    verdict = "under-trained" if d / n < 20 else "compute-optimal or beyond (cheaper to serve)"
    print(f"{name:<12}{n / 1e9:>7.0f}B{d / 1e9:>8.0f}B{d / n:>7.1f}{c:>11.1e}{n_opt / 1e9:>12.0f}B   {verdict}")
n, d = compute_optimal(1e21)
print(f"\n1e21 FLOPs: N = {n / 1e9:.2f}B parameters on D = {d / 1e9:.0f}B tokens")

# %% [markdown]
# ## Question 5 – Continued pre-training for a new domain (5 points)
#
# tiny-gpt was pre-trained on support-desk chats. The knowledge base (towns, founders, flags) is a
# domain it has never read. **Continued pre-training** (as BloombergGPT did for finance, at a far
# larger scale) trains the same next-token objective on the new domain's raw text, no labels needed.
#
# * `pack_texts(token_lists, block_size, eos_id)`: concatenate the token lists, **each followed by
#   `eos_id`**, into one stream, and cut it into consecutive blocks of exactly `block_size` tokens;
#   drop the incomplete remainder at the end (no padding, and no empty block when the stream divides
#   evenly).
# * `perplexity(model, tokenizer, texts)`: the model's perplexity over all `texts`: encode each text
#   with `tokenizer.encode(text)` (nothing appended); every token after a text's first is predicted from
#   the tokens before it; perplexity is $\exp$ of the **mean loss over all predicted tokens of all
#   texts** (a long text counts for more than a short one). `pretraining.token_losses(model, ids)`
#   gives the loss of each predicted token of one text.
#
# The cell below packs the training passages of the knowledge base (`pretraining.kb_passages()[0]`;
# the other tenth is held out) into blocks of 128, continues pre-training **a copy** of tiny-gpt on them
# with `pretraining.continue_pretraining` (40 steps, a fixed recipe), and measures perplexity on the
# held-out passages and on support-desk text. `gpt` itself must stay the zoo's tiny-gpt. Save the
# continued model with `save_pretrained("gpt_kb")`.
#
# **Graded:** a public test; hidden tests compare `pack_texts` with the rule on held-out token lists,
# and `perplexity(gpt, gpt_tok, ...)` with the grader's own computation on held-out texts of very
# different lengths; then the grader measures `gpt_kb/` on the held-out passages and on support-desk
# text: its perplexities must be within 15 % of the reference's.

# %%
def pack_texts(token_lists, block_size, eos_id):
    # BEGIN SOLUTION
    stream = [t for ids in token_lists for t in list(ids) + [eos_id]]
    return [stream[i:i + block_size] for i in range(0, len(stream) - block_size + 1, block_size)]
    # END SOLUTION


def perplexity(model, tokenizer, texts):
    # BEGIN SOLUTION
    losses = []
    for text in texts:
        losses += pretraining.token_losses(model, tokenizer.encode(text))
    return math.exp(sum(losses) / len(losses))
    # END SOLUTION

# %%
kb_train, kb_held_out = pretraining.kb_passages()
desk_texts = pretraining.support_desk_texts()
blocks = pack_texts([gpt_tok.encode(t) for t in kb_train], 128, gpt_tok.eos_token_id)
print(f"{len(kb_train)} passages -> {len(blocks)} blocks of 128 tokens")

kb_gpt = copy.deepcopy(gpt)
start = time.perf_counter()
cpt_losses = pretraining.continue_pretraining(kb_gpt, blocks)
print(f"continued pre-training: {len(cpt_losses)} steps in {time.perf_counter() - start:.1f} s")
kb_gpt.save_pretrained("gpt_kb")  # SOLUTION

print(f"\n{'perplexity':<28}{'knowledge base (held out)':>27}{'support desk':>14}")
for name, model in (("tiny-gpt", gpt), ("tiny-gpt + knowledge base", kb_gpt)):
    print(f"{name:<28}{perplexity(model, gpt_tok, kb_held_out):>27.1f}{perplexity(model, gpt_tok, desk_texts):>14.2f}")
sample = gpt_tok.encode("The flag of Hestane is")
for name, model in (("before", gpt), ("after", kb_gpt)):
    with torch.no_grad():
        out = model.generate(torch.tensor([sample]), max_new_tokens=12, do_sample=False, pad_token_id=gpt_tok.pad_token_id)
    print(f"{name}: {gpt_tok.decode(out[0])!r}")

# %% [markdown]
# Perplexity on the new domain falls by orders of magnitude in a few seconds of training, and the old
# domain pays: the support-desk perplexity rises. This is **catastrophic forgetting**, and the usual
# remedies are to mix some of the original pre-training data back in (replay), to train less, or to
# train only a few parameters (PEFT, 03).

# %% [markdown]
# ## Question 6 – What does your sweep say? (3 points, graded by staff)
#
# In six to ten sentences: (a) what your sweep shows (the best size per budget, the exponent, the shape
# of the curves), with your figures; (b) why this estimate is weak evidence about large models: name at
# least three differences between your sweep and Chinchilla's; (c) what you would change before trusting
# an exponent enough to spend a large budget on its prediction.

# %% [markdown]
# _A model answer._ My best sizes grew from about 1.5k parameters at 1e10 FLOPs to about 3k at 3e10
# and 5.6k at 1e11, so N_opt ∝ C^0.57, near Chinchilla's 0.5, and the best loss fell from 2.33 to 1.73
# nats a character. Each budget's curve is a valley: the 6-wide model at 1e10 saw three million
# characters but could not hold them, the 16-wide one saw too few to learn from. The evidence is weak:
# three budgets and four widths give an exponent from three points, each one the vertex of a parabola
# through three noisy losses, on a single seed; the models have one layer and 71 characters of
# vocabulary, so the embedding is a large share of N and the definition of N (with or without
# embeddings) moves the exponent; the learning rate and schedule are the same for every size and tuned
# for none; and the budgets are ten orders of magnitude below the ones the law is used for, where the
# data is never repeated. Before trusting it I would add budgets and sizes, repeat each point over
# several seeds and report error bars, tune the learning rate per size, fit loss as a function of N and
# D across all budgets at once (Chinchilla's third approach) and check its prediction on one larger run.

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 06-pretraining.ipynb`,
# then submit with `course submit 06-pretraining.ipynb --student YOUR_ID`.
