"""00-warmup (Warm-up: tokens and decoding): the reference solution.

Generated from assignments/00-warmup/00-warmup.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_00_warmup.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_00_warmup` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 00 – Warm-up: tokens and decoding
#
# A language model reads and writes **tokens**, not characters, and it never "writes text" by itself:
# at every step it gives a score (a *logit*) to each token of its vocabulary, and a **decoding rule**
# turns those scores into the next token. In this warm-up you take both apart on `tiny-gpt`, a GPT-2
# with about one million parameters, trained on short customer-service exchanges such as
#
# ```
# Customer: My parcel never arrived.
# Agent: I am so sorry the order was late. I will send you a replacement right away.
# ```
#
# You will write, by hand: token counting (q1), greedy decoding matched token for token to
# `model.generate` (q2), top-k (q3) and top-p (q4) filtering, and temperature sampling (q5); q6 asks you
# to compare greedy and sampled replies (optional, not autograded). It takes 30–45 minutes.
#
# **How it is graded (20 points).** Each question says what its tests check. Run the
# `grader.check("qN")` cell after a question: it runs the *public* tests, which catch common mistakes.
# When you submit, *hidden* tests compare your functions with the reference solution on fixed,
# seeded inputs, with the tolerances stated in each question. Every question is graded on its own
# functions only, so a mistake in one question does not cost points in another.
#
# Rules: replace each `...` with your code; do not edit the setup cell; do not call `model.generate`
# inside your functions (q2 compares your loop *with* it, and gives no hidden-test points to a q2
# function that calls it). Everything runs on a CPU in seconds.

# %%
import torch
from course_lib.models import zoo

torch.manual_seed(0)
model, tokenizer = zoo.load("tiny-gpt")  # a GPT2LMHeadModel and its tokenizer, from the local model cache
model.eval()
print(f"tiny-gpt: {sum(p.numel() for p in model.parameters()):,} parameters, "
      f"{len(tokenizer):,} tokens in the vocabulary, end-of-sequence token {tokenizer.eos_token!r} "
      f"(id {tokenizer.eos_token_id})")


def make_generator(seed):
    """A private random-number generator: sampling with it depends on `seed` only."""
    return torch.Generator().manual_seed(seed)

# %% [markdown]
# ## Question 1 – Tokens (3 points)
#
# `tokenizer.encode(text)` turns a text into a list of token ids (this tokenizer adds no special
# tokens when it encodes), `tokenizer.convert_ids_to_tokens(ids)` shows the pieces (`▁` marks a space
# before a word), and `tokenizer.decode(ids)` turns ids back into text. Run the cell below, then write
#
# * `count_tokens(text)`: how many tokens `tokenizer.encode(text)` gives, as an `int`
#   (what a pay-per-token API would bill you for `text`);
# * `round_trip(text)`: the text you get back when you encode `text` and decode the ids with
#   `tokenizer.decode(ids)`, default arguments (special tokens such as `<unk>` stay in). Return it
#   exactly as `decode` gives it: do not tidy it up.
#
# **Graded:** public tests check the types and one plain sentence (1 point); hidden tests compare
# `count_tokens` (1 point) and `round_trip` (1 point) with the reference on eight fixed strings, exact
# equality, among them strings with runs of spaces, leading and trailing spaces, a newline and
# characters the tokenizer has never seen.

# %%
ids = tokenizer.encode("Customer: My parcel never arrived.")
print(ids)
print(tokenizer.convert_ids_to_tokens(ids))

# %%
def count_tokens(text):
    """The number of tokens `tokenizer.encode(text)` gives."""
    return len(tokenizer.encode(text))  # SOLUTION


def round_trip(text):
    """Encode `text`, then decode the ids: what the model 'sees' of `text`."""
    return tokenizer.decode(tokenizer.encode(text))  # SOLUTION

# %% [markdown]
# The round trip is not always the identity. Try it on `"  Hello   world  "` and on `"naïve café"`:
# the tokenizer *normalises* text before it splits it (runs of spaces collapse, a leading space
# disappears) and maps characters it has never seen to `<unk>`. Whatever is lost here, the model can
# never know about.

# %%
for text in ["Customer: My parcel never arrived.", "  Hello   world  ", "naïve café"]:
    print(f"{text!r:40} {count_tokens(text)} tokens -> {round_trip(text)!r}")

# %% [markdown]
# ## Question 2 – Greedy decoding by hand (5 points)
#
# `model(input_ids).logits` has shape `(batch, sequence length, vocabulary size)`: position `i` holds
# the scores of every possible token *after* the first `i + 1` tokens. The last position therefore
# scores the next token. **Greedy decoding** takes the highest-scoring token, appends it to the
# sequence, and repeats.
#
# Write
#
# * `greedy_next_token(logits)`: `logits` is a 1-D tensor of shape `(vocabulary size,)`; return the id
#   of its largest entry as a Python `int`;
# * `greedy_generate(model, tokenizer, prompt, max_new_tokens)`: encode `prompt`, then loop: run the
#   model on the **whole** sequence so far (shape `(1, length)`), pick the next token with
#   `greedy_next_token` from the last position's logits, append it. Stop after `max_new_tokens`
#   tokens, or right after the model produces the end-of-sequence token `tokenizer.eos_token_id`
#   (keep that token, as `generate` does). Return the list of **new** token ids (ints), without the
#   prompt. Use `torch.no_grad()`; do not call `model.generate`.
#
# `model.generate` keeps a cache of past activations to avoid recomputing the prefix at every step;
# your loop recomputes it, which is slower but gives the same tokens.
#
# **Graded:** public tests check `greedy_next_token` on a small tensor (1 point) and that
# `greedy_generate` returns a list of at most `max_new_tokens` ints (1 point); hidden tests compare
# `greedy_next_token` with the reference on ten seeded random tensors (1 point) and `greedy_generate`
# with `model.generate(do_sample=False, max_new_tokens=24)` on four fixed prompts, token for token
# (2 points). The grader also reads your code: a submission whose `greedy_next_token` or
# `greedy_generate` calls `generate`, directly or through a helper function, gets no hidden-test
# points for this question.

# %%
def greedy_next_token(logits):
    """The id of the highest-scoring token in a 1-D tensor of logits."""
    return int(torch.argmax(logits))  # SOLUTION


def greedy_generate(model, tokenizer, prompt, max_new_tokens):
    """Greedy continuation of `prompt`: the list of new token ids (the eos token included if produced)."""
    # BEGIN SOLUTION
    ids = tokenizer.encode(prompt)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(torch.tensor([ids + new_tokens])).logits[0, -1]
            token = greedy_next_token(logits)
            new_tokens.append(token)
            if token == tokenizer.eos_token_id:
                break
    return new_tokens
    # END SOLUTION

# %% [markdown]
# Compare your loop with `model.generate` (the hidden tests do the same on other prompts):

# %%
prompt = "Customer: My parcel never arrived.\nAgent:"
mine = greedy_generate(model, tokenizer, prompt, 25)
prompt_ids = torch.tensor([tokenizer.encode(prompt)])
reference = model.generate(prompt_ids, attention_mask=torch.ones_like(prompt_ids), do_sample=False,
                           max_new_tokens=25)[0, prompt_ids.shape[1]:].tolist()
print(repr(tokenizer.decode(mine)))
print("same tokens as model.generate:", mine == reference)

# %% [markdown]
# ## Question 3 – Top-k filtering (4 points)
#
# Sampling from the full distribution sometimes picks a very unlikely token, and one bad token can
# derail a reply. **Top-k** sampling only samples among the `k` most likely tokens. It works on the
# logits: every logit except the `k` largest is set to `-inf`, so that its probability after the
# softmax is exactly 0.
#
# Write `top_k_filter(logits, k)`: `logits` has shape `(..., vocabulary size)` (one row or a batch of
# rows); return a **new** tensor of the same shape where, in each row (last dimension), the `k`
# largest logits keep their values and all others are `float("-inf")` (`k >= 1`). Keep exactly `k` entries even
# when several logits tie for the `k`-th place (keep those `torch.topk` returns). A `k` larger than
# the vocabulary keeps everything. Filter the *logits*, not probabilities: no softmax here.
#
# **Graded:** a public test on a 2×4 tensor (1 point); hidden tests compare with the reference on
# seeded random tensors for k = 1, 3, 10, 49, 50 and 80 and on a 1-D tensor, `assert_close` with
# `atol=1e-6` (`-inf` must match `-inf`) (2 points); a hidden property test checks exactly `k` finite
# entries per row (ties included), kept values unchanged and no dropped logit above a kept one
# (1 point).

# %%
def top_k_filter(logits, k):
    """Logits with all but the k largest of each row set to -inf."""
    # BEGIN SOLUTION
    k = min(int(k), logits.shape[-1])
    values, indices = torch.topk(logits, k, dim=-1)
    filtered = torch.full_like(logits, float("-inf"))
    return filtered.scatter(-1, indices, values)
    # END SOLUTION

# %% [markdown]
# ## Question 4 – Top-p (nucleus) filtering (4 points)
#
# A fixed `k` is too many tokens when the model is sure and too few when it is not. **Top-p**
# (nucleus) sampling keeps the *smallest set of most likely tokens whose probabilities add up to at
# least `p`*. Sort the probabilities (softmax of the logits) in decreasing order and walk down the
# list, adding them up: every token you pass **before** the running total reaches `p` is kept, and so
# is the token that makes it reach or cross `p`; all later tokens are dropped. The most likely token
# is therefore always kept. Example: probabilities 0.5, 0.3, 0.2 and `p = 0.6` keep the first two
# (0.5 < 0.6, then 0.5 + 0.3 ≥ 0.6).
#
# Write `top_p_filter(logits, p)`: `logits` has shape `(..., vocabulary size)`, `0 < p <= 1`; return
# a **new** tensor of the same shape with the kept logits unchanged and the dropped ones `-inf`, row
# by row, in the original token order. `p = 1` keeps every token. Hint: `torch.sort(...,
# descending=True)` returns the sorted values and the original positions; `torch.cumsum` adds up;
# `Tensor.scatter` puts values back in their original positions.
#
# **Graded:** a public test on the example above (1 point); hidden tests compare with the reference on
# seeded random tensors for p = 0.1, 0.5, 0.9 and 0.97 (no running total lies within 1e-4 of p, so
# rounding cannot decide) and on a 1-D tensor, `assert_close` with `atol=1e-6` (2 points); hidden edge
# cases: `p = 1` keeps all, a tiny `p` keeps only the most likely token, tied logits (1 point).

# %%
def top_p_filter(logits, p):
    """Logits with all tokens outside the top-p nucleus of each row set to -inf."""
    # BEGIN SOLUTION
    if p >= 1.0:
        return logits.clone()
    sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
    probs = torch.softmax(sorted_logits, dim=-1)
    mass_before = torch.cumsum(probs, dim=-1) - probs  # probability of the more likely tokens
    drop_sorted = mass_before >= p
    drop_sorted[..., 0] = False  # the most likely token is always kept
    drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
    return logits.masked_fill(drop, float("-inf"))
    # END SOLUTION

# %% [markdown]
# ## Question 5 – Temperature and sampling (4 points)
#
# **Temperature** divides the logits *before* the softmax: `softmax(logits / T)`. `T < 1` sharpens the
# distribution (towards greedy), `T > 1` flattens it (towards uniform). Dividing the probabilities
# after the softmax would do nothing once they are renormalised.
#
# Write, for a 1-D tensor of logits,
#
# * `next_token_probs(logits, temperature=1.0, top_k=None, top_p=None)`: the probability of each token
#   (a 1-D tensor summing to 1): divide the logits by `temperature`, then apply `top_k_filter` if
#   `top_k` is not `None` and `top_p_filter` if `top_p` is not `None` (in that order), then softmax;
# * `sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None)`: one token id
#   (an `int`) drawn from `next_token_probs(...)` with
#   `torch.multinomial(probs, num_samples=1, generator=generator)`. Passing the `generator` through
#   makes a draw depend only on its seed: `make_generator(seed)` (setup cell) makes one.
#
# **Graded**, always with `top_k=None, top_p=None` so that q3 and q4 do not count twice: a public test
# of both functions on small tensors (1 point); hidden tests compare `next_token_probs` with the
# reference at temperatures 0.3 to 4 (`assert_close`, `atol=1e-6`) (1 point); check the frequencies
# of 2,000 draws at temperature 0.7 against the reference probabilities (within 0.04, about four
# standard errors) (1 point); and check that 50 draws with `make_generator(2024)` are exactly
# the reference's draws (1 point).

# %%
def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    """The sampling distribution: temperature, then top-k, then top-p, then softmax."""
    # BEGIN SOLUTION
    scaled = logits / temperature
    if top_k is not None:
        scaled = top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = top_p_filter(scaled, top_p)
    return torch.softmax(scaled, dim=-1)
    # END SOLUTION


def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    """One token id drawn from next_token_probs(...) with the given generator."""
    probs = next_token_probs(logits, temperature, top_k, top_p)  # SOLUTION
    return int(torch.multinomial(probs, num_samples=1, generator=generator))  # SOLUTION

# %%
logits = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0])
for temperature in (0.5, 1.0, 2.0):
    print(f"T={temperature}:", [round(p, 3) for p in next_token_probs(logits, temperature).tolist()])

# %% [markdown]
# ## Question 6 – Greedy or sampled? (optional, not autograded)
#
# The cell below continues one prompt greedily and by sampling at several settings, with your
# functions. tiny-gpt was trained on replies that are polite about half of the time and rude the rest
# of the time. Read the outputs and answer in three to five sentences: which replies are the most
# fluent, the most varied, the most often rude or off-topic? What do temperature and top-p change,
# and which setting would you deploy for a support desk? (Staff may comment; it earns no points.)

# %%
def sample_generate(prompt, max_new_tokens=30, temperature=1.0, top_k=None, top_p=None, seed=0):
    """A sampled continuation of `prompt`, made with your sample_next_token."""
    generator = make_generator(seed)
    ids, new_tokens = tokenizer.encode(prompt), []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(torch.tensor([ids + new_tokens])).logits[0, -1]
            token = sample_next_token(logits, temperature, top_k, top_p, generator)
            new_tokens.append(token)
            if token == tokenizer.eos_token_id:
                break
    return tokenizer.decode(new_tokens, skip_special_tokens=True)


prompt = "Customer: The app keeps crashing.\nAgent:"
print("greedy           :", tokenizer.decode(greedy_generate(model, tokenizer, prompt, 30), skip_special_tokens=True))
for temperature, top_k, top_p in ((0.7, None, 0.9), (1.0, 20, None), (1.0, None, None), (1.8, None, None)):
    for seed in range(2):
        text = sample_generate(prompt, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
        print(f"T={temperature} k={top_k} p={top_p} seed {seed}:", text)

# %% [markdown]
# _A model answer._ Greedy decoding is deterministic and gives the single most likely reply, fluent
# but generic and repeated word for word on every call. Sampling at T=1 with no filter varies from
# seed to seed, and now and then picks an unlikely token that derails the reply; at T=1.8 most
# replies become incoherent. A lower temperature with top-p 0.9 (or top-k 20) keeps the variety among
# plausible tokens while cutting the unreliable tail. Neither decoding rule fixes rudeness: the model
# learnt rude replies as likely ones, which is what fine-tuning and RLHF (labs 02–04) address. For a
# support desk, greedy or a low temperature with top-p is the safer choice.

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 00-warmup.ipynb`, then
# submit with `course submit 00-warmup.ipynb --student YOUR_ID`.
