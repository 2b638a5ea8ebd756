"""01-prompting (Prompt engineering: summarise dialogue): the reference solution.

Generated from assignments/01-prompting/01-prompting.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_01_prompting.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_01_prompting` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 01 – Prompt engineering: summarise dialogue
#
# Without any training, two things decide what a model writes: the **input text** (the prompt) and
# the **generation config** (how each next token is picked). In this lab you measure both on
# `tiny-flan`, a T5 encoder–decoder with 1.5 million parameters that was instruction-tuned like
# FLAN-T5, and on `dialogsum`, short dialogues with human-style summaries:
#
# ```
# #Person1#: Good morning.
# #Person2#: Fine, thanks. What's up?
# #Person1#: I'd like to return a novel.
# ...
# Summary: #Person1# brings back a novel, which is two days overdue, so #Person1# must pay fifty cents.
# ```
#
# You will write: tokens and the context window (q1); zero-shot, one-shot and few-shot prompts and
# the model's own template (q2); greedy decoding by hand on an encoder–decoder (q3); temperature,
# top-k and top-p sampling, matched to `model.generate` (q4); a ROUGE evaluation of the prompt styles
# (q5) and a short interpretation of it (q6, graded by staff); cost and latency per prompt style (q7).
# It takes about 90 minutes.
#
# **How it is graded (95 points autograded, 5 by staff).** Each question says what its tests check.
# Run the `grader.check("qN")` cell after a question: it runs the *public* tests, which catch common
# mistakes. When you submit, *hidden* tests compare your functions with the reference solution, or
# with `transformers`' own `model.generate`, on fixed inputs, with the tolerances stated in each
# question. The tests give each question fixed inputs, not the outputs of your other functions, so
# a mistake costs points in its own question only; the exceptions are said where they occur (q2
# counts with your `count_tokens`, q4's sampling loop reuses your q3 helpers).
#
# Rules: replace each `...` with your code; do not edit the setup cell; do not call `model.generate`
# inside your q3 and q4 functions (those questions compare your loops *with* it, and a q3 or q4
# function that calls it, even through a helper, earns no hidden-test points for its question).
# Everything runs on a CPU in seconds.

# %%
import time

import torch
from course_lib import data
from course_lib.metrics import rouge
from course_lib.models import zoo

torch.manual_seed(0)
model, tokenizer = zoo.load("tiny-flan")  # a T5ForConditionalGeneration and its tokenizer, from the local model cache
model.eval()
print(f"tiny-flan: {sum(p.numel() for p in model.parameters()):,} parameters, {len(tokenizer):,} tokens, "
      f"end-of-sequence {tokenizer.eos_token!r} (id {tokenizer.eos_token_id}), "
      f"decoder start id {model.config.decoder_start_token_id}")

CONTEXT_WINDOW = 256                              # this lab's prompt budget, in tokens
MAX_NEW_TOKENS = 48                               # a summary is one or two sentences
EVAL_ROWS = data.rows("dialogsum", "test")[:24]   # the fixed evaluation slice (q5, q7)
EXAMPLES = data.rows("dialogsum", "train")[:20]   # the pool of worked examples (q2, q5)

# %% [markdown]
# ## Question 1 – Tokens and the context window (12 points)
#
# T5's tokenizer turns a text into token ids and **appends the end-of-sequence token `</s>`** (id 1):
# that is how the encoder knows where its input ends. `#Person1#` and `#Person2#` are single tokens.
# A model reads a bounded number of tokens, its **context window**; in this lab a prompt may use at
# most `CONTEXT_WINDOW = 256` tokens, and every token costs time (and money, on a paid API). Write
#
# * `count_tokens(text)`: the number of ids in `tokenizer(text)["input_ids"]`, `</s>` included, as
#   an `int`: what the encoder reads;
# * `round_trip(text)`: encode `text` the same way, then decode the ids with
#   `tokenizer.decode(ids, skip_special_tokens=True)`, and return the result exactly as `decode`
#   gives it (no tidying up);
# * `truncate_dialogue(dialogue, max_tokens)`: a dialogue has one turn per line (`"\n"` between
#   turns). Return the longest run of **whole turns from the first one** whose `count_tokens` is at
#   most `max_tokens`, joined with `"\n"` as in the input, or `""` when even the first turn does not
#   fit. Never cut inside a turn: half a sentence can say something else than the whole one.
#
# **Graded:** public tests check the types, the empty string and one short dialogue (2 points);
# hidden tests compare `count_tokens` (2 points) and `round_trip` (2 points) with the reference on
# eight fixed strings (runs of spaces, characters the tokenizer never saw, the empty string ...),
# exact equality; `truncate_dialogue` with the reference on four test dialogues at six budgets,
# exact equality (3 points); and its properties on six other dialogues: whole turns from the start,
# within the budget, and the next turn would not have fitted (3 points).

# %%
dialogue = EVAL_ROWS[0]["dialogue"]
ids = tokenizer(dialogue)["input_ids"]
print(dialogue)
print(len(ids), "ids:", ids[:12], "...", ids[-3:])
print(tokenizer.convert_ids_to_tokens(ids)[:12])

# %%
def count_tokens(text):
    """How many token ids the encoder reads for `text` (the appended </s> included)."""
    return len(tokenizer(text)["input_ids"])  # SOLUTION


def round_trip(text):
    """Encode `text`, then decode the ids without special tokens: what the model 'sees' of `text`."""
    return tokenizer.decode(tokenizer(text)["input_ids"], skip_special_tokens=True)  # SOLUTION


def truncate_dialogue(dialogue, max_tokens):
    """The longest run of whole turns, from the first, that fits in `max_tokens` tokens."""
    # BEGIN SOLUTION
    turns = dialogue.split("\n")
    kept = ""
    for n in range(1, len(turns) + 1):
        candidate = "\n".join(turns[:n])
        if count_tokens(candidate) > max_tokens:
            break
        kept = candidate
    return kept
    # END SOLUTION

# %% [markdown]
# Even the empty string is one token (`</s>`). Decoding is not always the inverse of encoding: runs
# of spaces collapse, and characters the tokenizer never saw become `<unk>`, which
# `skip_special_tokens=True` then drops with `</s>`. Whatever is lost here, the model never sees.

# %%
for text in ["", "Summary:", "  Hello   world  ", "naïve café"]:
    print(f"{text!r:22} {count_tokens(text):2} tokens -> {round_trip(text)!r}")
for budget in (20, 40, 60):
    print(f"--- at most {budget} tokens:\n{truncate_dialogue(dialogue, budget)}")

# %% [markdown]
# ## Question 2 – Prompts: zero-shot, one-shot, few-shot and the model's own template (20 points)
#
# tiny-flan, like FLAN-T5, was instruction-tuned on prompts of fixed shapes, and it follows a prompt
# best when it has exactly the shape it was trained on. The **zero-shot** prompt is the instruction,
# a blank line, the dialogue, and `Summary:` on a line of its own:
#
# ```
# Summarize the following conversation.
#
# #Person1#: ...
# #Person2#: ...
# Summary:
# ```
#
# **One-shot** and **few-shot** prompts insert worked examples between the instruction's blank line
# and the dialogue. Each example is its dialogue, a new line, `Summary: ` (with a space) and its
# summary, then a blank line:
#
# ```
# Summarize the following conversation.
#
# <dialogue of example 1>
# Summary: <summary of example 1>
#
# <dialogue of example 2>
# Summary: <summary of example 2>
#
# <the dialogue to summarise>
# Summary:
# ```
#
# The model was also trained on **its own template**, which asks for a detailed summary:
#
# ```
# Dialogue:
# <the dialogue to summarise>
#
# Write a detailed summary of the dialogue above.
# ```
#
# A dialogsum row is a dict with `"dialogue"` and `"summary"` (and `"id"`, `"topic"`). Write
#
# * `zero_shot_prompt(dialogue)`, `own_template_prompt(dialogue)`;
# * `one_shot_prompt(example, dialogue)`: `example` is a row;
# * `few_shot_prompt(examples, dialogue, k)`: the first `k` rows of `examples`, in order (`k = 0` gives
#   the zero-shot prompt, `k = 1` the one-shot prompt with `examples[0]`);
# * `choose_examples(pool, dialogue, k, max_tokens=CONTEXT_WINDOW)`: pick up to `k` rows of `pool`,
#   in pool order, for `few_shot_prompt`. Skip a row whose `"dialogue"` is the dialogue to summarise:
#   an example that *is* the answer leaks it (the model copies the summary, and the evaluation is
#   worthless). Add a row only if the few-shot prompt with the rows chosen so far plus this one has at
#   most `max_tokens` tokens (your `count_tokens`); if it does not fit, skip it and try the next.
#   Stop at `k` rows. Return the chosen rows (the dicts of `pool`) as a list, in pool order.
#
# Exact strings matter: a missing blank line or a missing space after `Summary:` is a prompt the
# model has never seen.
#
# **Graded:** public tests on a one-line dialogue (2 points); hidden tests compare with the
# reference on six fixed dialogsum rows, exact string equality: `zero_shot_prompt` and
# `own_template_prompt` (4 points), `one_shot_prompt` (3 points), `few_shot_prompt` for k = 0 to 3
# (4 points); `choose_examples` on a pool of twelve training rows, four dialogues, k = 2 and 3 and
# three budgets, chosen so that counting one token more or less would not change the choice
# (5 points); and a pool that contains the dialogue to summarise
# never gives it back as an example (2 points).

# %%
def zero_shot_prompt(dialogue):
    """The instruction, a blank line, the dialogue, then 'Summary:' on its own line."""
    return f"Summarize the following conversation.\n\n{dialogue}\nSummary:"  # SOLUTION


def few_shot_prompt(examples, dialogue, k):
    """The zero-shot prompt with the first k examples (dialogue, summary) before the dialogue."""
    # BEGIN SOLUTION
    shots = "".join(f"{e['dialogue']}\nSummary: {e['summary']}\n\n" for e in examples[:k])
    return f"Summarize the following conversation.\n\n{shots}{dialogue}\nSummary:"
    # END SOLUTION


def one_shot_prompt(example, dialogue):
    """The few-shot prompt with a single worked example."""
    return few_shot_prompt([example], dialogue, 1)  # SOLUTION


def own_template_prompt(dialogue):
    """The template tiny-flan was trained on for detailed summaries."""
    return f"Dialogue:\n{dialogue}\n\nWrite a detailed summary of the dialogue above."  # SOLUTION


def choose_examples(pool, dialogue, k, max_tokens=CONTEXT_WINDOW):
    """Up to k rows of pool, in order, that fit the few-shot prompt in max_tokens; never the dialogue itself."""
    # BEGIN SOLUTION
    chosen = []
    for row in pool:
        if len(chosen) == k:
            break
        is_target = row["dialogue"] == dialogue          # never the answer itself
        if not is_target and count_tokens(few_shot_prompt(chosen + [row], dialogue, len(chosen) + 1)) <= max_tokens:
            chosen.append(row)
    return chosen
    # END SOLUTION

# %% [markdown]
# The same dialogue, five prompts, greedy decoding (`model.generate`): without an instruction the
# model simply continues the conversation; the plain instruction gets a one-line gist; worked
# examples and the model's own template get detailed summaries. Look at the one-shot output: which
# details come from the dialogue, and which from the example?

# %%
row = EVAL_ROWS[1]
chosen = choose_examples(EXAMPLES, row["dialogue"], 2)
demo_prompts = {"no prompt": row["dialogue"], "zero-shot": zero_shot_prompt(row["dialogue"]),
                "one-shot": one_shot_prompt(EXAMPLES[0], row["dialogue"]),
                f"few-shot ({len(chosen)})": few_shot_prompt(chosen, row["dialogue"], len(chosen)),
                "own template": own_template_prompt(row["dialogue"])}
print(demo_prompts["one-shot"], "\n")
print("human summary:", row["summary"])
for style, prompt in demo_prompts.items():
    batch = tokenizer(prompt, return_tensors="pt")
    out = model.generate(**batch, do_sample=False, max_new_tokens=MAX_NEW_TOKENS)
    print(f"{style:15} ({count_tokens(prompt):3} tokens): {tokenizer.decode(out[0], skip_special_tokens=True)}")

# %% [markdown]
# ## Question 3 – Greedy decoding by hand on an encoder–decoder (18 points)
#
# The warm-up decoded with a decoder-only model, which re-reads prompt and output as one sequence.
# T5 splits the work. The **encoder** reads the whole prompt **once** and gives one vector per prompt
# token. The **decoder** then writes the output one token at a time: it reads the tokens it has
# written so far and attends to the encoder's vectors (cross-attention). Its first input is the
# **decoder start token**, `model.config.decoder_start_token_id` (T5 uses the pad token, id 0), and
# `model(...).logits` has shape `(batch, decoder length, vocabulary size)`: the last position scores
# the next token. Write
#
# * `encode_prompt(model, tokenizer, prompt)`: the prompt's ids (`</s>` included) as a tensor of shape
#   `(1, n)`, through `model.get_encoder()`; return its `last_hidden_state`, shape `(1, n, d_model)`;
# * `next_token_logits(model, encoder_hidden, decoder_ids)`: `decoder_ids` is the list of ids the
#   decoder has so far, the start token first. Run
#   `model(encoder_outputs=(encoder_hidden,), decoder_input_ids=torch.tensor([decoder_ids]))` and
#   return the next token's logits, a 1-D tensor of shape `(vocabulary size,)`;
# * `greedy_summarise(model, tokenizer, prompt, max_new_tokens)`: encode the prompt once, start the
#   decoder with `[decoder_start_token_id]`, then loop: take the highest-scoring next token, append it;
#   stop after `max_new_tokens` tokens or right after `tokenizer.eos_token_id` (keep that token, as
#   `generate` does). Return the new token ids as a list of `int`, without the start token. Use
#   `torch.no_grad()`; do not call `model.generate`.
#
# `model.generate` also caches the decoder's past keys and values so each step costs one position;
# your loop re-runs the decoder on all positions, slower but the same tokens.
#
# **Graded:** public tests check shapes and types (3 points); hidden tests compare `encode_prompt`
# with tiny-flan's encoder on three prompts (`atol=1e-4`) (3 points), `next_token_logits` with the
# model's forward pass for four decoder prefixes (`atol=1e-4`) (4 points), and `greedy_summarise` with
# `model.generate(do_sample=False)` on four fixed prompts, one stopped by `max_new_tokens`, token
# for token (8 points). The grader also reads your code: a submission whose `encode_prompt`,
# `next_token_logits` or `greedy_summarise` calls `generate`, directly or through a helper function
# (q5's `summarise` calls it), gets no hidden-test points for this question.

# %%
def encode_prompt(model, tokenizer, prompt):
    """The encoder's last hidden state for `prompt`: shape (1, prompt tokens, d_model)."""
    # BEGIN SOLUTION
    input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return model.get_encoder()(input_ids=input_ids).last_hidden_state
    # END SOLUTION


def next_token_logits(model, encoder_hidden, decoder_ids):
    """Logits of the token that follows `decoder_ids` (start token first), given the encoder's output."""
    # BEGIN SOLUTION
    with torch.no_grad():
        out = model(encoder_outputs=(encoder_hidden,), decoder_input_ids=torch.tensor([decoder_ids]))
    return out.logits[0, -1]
    # END SOLUTION


def greedy_summarise(model, tokenizer, prompt, max_new_tokens):
    """Greedy decoding, encoder once, decoder step by step: the new token ids (eos included if produced)."""
    # BEGIN SOLUTION
    hidden = encode_prompt(model, tokenizer, prompt)
    decoder_ids = [model.config.decoder_start_token_id]
    for _ in range(max_new_tokens):
        token = int(torch.argmax(next_token_logits(model, hidden, decoder_ids)))
        decoder_ids.append(token)
        if token == tokenizer.eos_token_id:
            break
    return decoder_ids[1:]
    # END SOLUTION

# %% [markdown]
# Compare your loop with `model.generate` (the hidden tests do the same on other prompts), and time
# both: the cache matters more the longer the output.

# %%
prompt = own_template_prompt(EVAL_ROWS[2]["dialogue"])
start = time.perf_counter()
mine = greedy_summarise(model, tokenizer, prompt, MAX_NEW_TOKENS)
mine_s = time.perf_counter() - start
batch = tokenizer(prompt, return_tensors="pt")
start = time.perf_counter()
reference = model.generate(**batch, do_sample=False, max_new_tokens=MAX_NEW_TOKENS)[0, 1:].tolist()
generate_s = time.perf_counter() - start
print(tokenizer.decode(mine, skip_special_tokens=True))
print(f"same tokens as model.generate: {mine == reference}; your loop {mine_s:.3f} s, generate {generate_s:.3f} s")

# %% [markdown]
# ## Question 4 – Sampling: temperature, top-k and top-p, as `generate` does it (22 points)
#
# With `do_sample=True`, `model.generate` turns the next-token logits into a distribution with a
# chain of *logits warpers*, in this order: `TemperatureLogitsWarper` (divide the logits by the
# temperature `T`), `TopKLogitsWarper` (keep the `k` largest), `TopPLogitsWarper` (keep the nucleus);
# then a softmax and one draw, `torch.multinomial(probs, num_samples=1)`, from torch's global random
# generator, per step. `T < 1` sharpens the distribution (towards greedy), `T > 1` flattens it.
# Dividing *probabilities* by `T` after the softmax would do nothing once they are renormalised. Write
#
# * `top_k_filter(logits, k)`: shape `(..., vocabulary size)`; as `transformers` does, every logit
#   strictly smaller than the `k`-th largest of its row becomes `float("-inf")`, so logits tied with the
#   `k`-th largest are all kept (the warm-up kept exactly `k`); `k` larger than the vocabulary keeps
#   everything. Kept logits keep their values; filter logits, not probabilities;
# * `top_p_filter(logits, p)`: the same shapes; keep the smallest set of most likely tokens whose
#   probabilities (softmax of the row) add up to at least `p`: walking down the sorted probabilities,
#   every token passed *before* the running total reaches `p` is kept, and so is the token that makes
#   it reach or cross `p`; the others become `-inf`. The most likely token is always kept; `p = 1`
#   keeps everything. Results in the original token order;
# * `next_token_probs(logits, temperature=1.0, top_k=None, top_p=None)`: divide by the temperature,
#   then `top_k_filter` if `top_k` is not `None`, then `top_p_filter` if `top_p` is not `None`, then softmax;
# * `sample_next_token(logits, temperature=1.0, top_k=None, top_p=None)`: one token id (`int`) drawn with
#   `torch.multinomial(next_token_probs(...), num_samples=1)`;
# * `sample_summarise(model, tokenizer, prompt, max_new_tokens, temperature=1.0, top_k=None, top_p=None, seed=0)`:
#   call `torch.manual_seed(seed)` once, then q3's loop (use your `encode_prompt` and
#   `next_token_logits`) with `sample_next_token` in place of the argmax. It must give exactly the
#   tokens of `torch.manual_seed(seed)` followed by `model.generate(..., do_sample=True,
#   temperature=T, top_k=k or 0, top_p=p or 1.0)` (`top_k=0` switches `generate`'s default of 50 off).
#
# **Graded:** public tests on small tensors (3 points); hidden tests compare `top_k_filter` with
# `TopKLogitsWarper` on seeded random logits for k = 1, 5, 50 and 5000 and on tied logits, exactly
# (4 points); `top_p_filter` with `TopPLogitsWarper` on seeded random logits for p = 0.3, 0.6, 0.9
# and 0.95, where no running total lies within 1e-4 of p so rounding cannot decide, exactly
# (4 points), and edge cases: p = 1, a tiny p, a confident row (2 points); `next_token_probs` with
# the warpers' chain and a softmax at five settings (`atol=1e-6`) (3 points); the frequencies of
# 2,000 draws of `sample_next_token` at T = 0.8, k = 4 against the reference probabilities (within
# 0.04, about four standard errors) (2 points); and `sample_summarise` with `generate`'s sampling for
# the same seed on three prompts at four settings, token for token (4 points; the test reproduces
# `generate` with `course_lib.prompting.sampled_tokens`, which draws from a private generator so that
# graders running side by side cannot disturb each other's draws). The grader also reads your code: a
# submission whose `top_k_filter`, `top_p_filter`, `next_token_probs`, `sample_next_token` or
# `sample_summarise` calls `generate`, directly or through a helper function, gets no hidden-test
# points for this question.

# %%
def top_k_filter(logits, k):
    """Logits with every entry below the k-th largest of its row set to -inf (ties kept, as transformers does)."""
    # BEGIN SOLUTION
    k = min(int(k), logits.shape[-1])
    kth_largest = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth_largest, float("-inf"))
    # END SOLUTION


def top_p_filter(logits, p):
    """Logits with every token outside the top-p nucleus of its row set to -inf."""
    # BEGIN SOLUTION
    if p >= 1.0:
        return logits.clone()
    sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
    probs = torch.softmax(sorted_logits, dim=-1)
    mass_before = torch.cumsum(probs, dim=-1) - probs   # probability of the more likely tokens
    drop_sorted = mass_before >= p
    drop_sorted[..., 0] = False                          # the most likely token is always kept
    drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
    return logits.masked_fill(drop, float("-inf"))
    # END SOLUTION


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    """The sampling distribution: temperature, then top-k, then top-p, then softmax."""
    # BEGIN SOLUTION
    scores = logits / temperature
    if top_k is not None:
        scores = top_k_filter(scores, top_k)
    if top_p is not None:
        scores = top_p_filter(scores, top_p)
    return torch.softmax(scores, dim=-1)
    # END SOLUTION


def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None):
    """One token id drawn from next_token_probs(...) with torch's global generator."""
    return int(torch.multinomial(next_token_probs(logits, temperature, top_k, top_p), num_samples=1))  # SOLUTION


def sample_summarise(model, tokenizer, prompt, max_new_tokens, temperature=1.0, top_k=None, top_p=None, seed=0):
    """Sampled decoding, seeded once: the same tokens as generate(do_sample=True) after torch.manual_seed(seed)."""
    # BEGIN SOLUTION
    torch.manual_seed(seed)   # once: generate draws from the same global generator
    hidden = encode_prompt(model, tokenizer, prompt)
    decoder_ids = [model.config.decoder_start_token_id]
    for _ in range(max_new_tokens):
        token = sample_next_token(next_token_logits(model, hidden, decoder_ids), temperature, top_k, top_p)
        decoder_ids.append(token)
        if token == tokenizer.eos_token_id:
            break
    return decoder_ids[1:]
    # END SOLUTION

# %% [markdown]
# Sampling the same prompt at several settings: greedy is one fixed answer; at `T = 1` with no filter
# every seed gives another summary and now and then a derailed one; a lower temperature or a nucleus
# keeps the variety among plausible tokens.

# %%
prompt = own_template_prompt(EVAL_ROWS[3]["dialogue"])
print("human summary  :", EVAL_ROWS[3]["summary"])
print("greedy         :", tokenizer.decode(greedy_summarise(model, tokenizer, prompt, MAX_NEW_TOKENS), skip_special_tokens=True))
for temperature, top_k, top_p in ((0.7, None, 0.9), (1.0, None, None), (1.8, None, None)):
    for seed in range(2):
        ids = sample_summarise(model, tokenizer, prompt, MAX_NEW_TOKENS, temperature, top_k, top_p, seed=seed)
        print(f"T={temperature} p={top_p} seed {seed}:", tokenizer.decode(ids, skip_special_tokens=True))

# %% [markdown]
# ## Question 5 – Evaluation: ROUGE of the prompt styles (13 points)
#
# **ROUGE** scores a generated summary against a human one by the words they share: ROUGE-1 counts
# shared words, ROUGE-2 shared pairs of consecutive words, ROUGE-L the longest common subsequence
# (words in the same order, gaps allowed). Each is an F-measure of precision and recall, from 0 to 1.
# It rewards overlap, not meaning. Write
#
# * `summarise(model, tokenizer, prompts, max_new_tokens=MAX_NEW_TOKENS, batch_size=8)`: greedy
#   summaries of a list of prompts, `batch_size` prompts per `model.generate` call, in prompt order.
#   Tokenise each batch with `tokenizer(batch, padding=True, return_tensors="pt")` and pass the
#   `input_ids` **and the `attention_mask`** (without the mask the encoder attends to the padding, and
#   the shorter prompts of a batch get other summaries), `do_sample=False` and `max_new_tokens`; decode
#   each output with `skip_special_tokens=True` and `.strip()` it;
# * `rouge_scores(predictions, references)`: `{"rouge1": ..., "rouge2": ..., "rougeL": ...}`, the
#   mean F-measures computed by `course_lib.metrics.rouge`, imported as `rouge` in the setup cell (it
#   is deterministic, unlike the Hub metric's bootstrap).
#
# **Graded:** a public test on two prompts (2 points); hidden tests compare `summarise` with the
# reference's summaries of twelve prompts of different lengths (zero-shot and bare dialogues) in
# batches of six, exact strings (4 points);
# `rouge_scores` with the reference on fixed pairs (`atol=1e-6`) (2 points); and the ROUGE table of
# the five prompt styles on `EVAL_ROWS`, built from the reference's prompts with your `summarise` and
# `rouge_scores`, with the reference's table (`atol=1e-6`) (5 points).

# %%
def summarise(model, tokenizer, prompts, max_new_tokens=MAX_NEW_TOKENS, batch_size=8):
    """Greedy summaries of `prompts`, batch by batch, padding masked out."""
    # BEGIN SOLUTION
    summaries = []
    for start in range(0, len(prompts), batch_size):
        batch = tokenizer(prompts[start:start + batch_size], padding=True, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                                 do_sample=False, max_new_tokens=max_new_tokens)
        summaries += [text.strip() for text in tokenizer.batch_decode(out, skip_special_tokens=True)]
    return summaries
    # END SOLUTION


def rouge_scores(predictions, references):
    """Mean ROUGE-1, ROUGE-2 and ROUGE-L F-measures."""
    # BEGIN SOLUTION
    scores = rouge(predictions, references)
    return {name: scores[name] for name in ("rouge1", "rouge2", "rougeL")}
    # END SOLUTION

# %% [markdown]
# The five prompt styles on the fixed evaluation slice, built with your q2 builders (one-shot takes
# `EXAMPLES[0]`; few-shot up to two examples chosen by `choose_examples` within the context window):

# %%
def style_prompts(rows):
    """The five prompt styles for each row."""
    prompts = {"no prompt": [], "zero-shot": [], "one-shot": [], "few-shot": [], "own template": []}
    for r in rows:
        chosen = choose_examples(EXAMPLES, r["dialogue"], 2)
        prompts["no prompt"].append(r["dialogue"])
        prompts["zero-shot"].append(zero_shot_prompt(r["dialogue"]))
        prompts["one-shot"].append(one_shot_prompt(EXAMPLES[0], r["dialogue"]))
        prompts["few-shot"].append(few_shot_prompt(chosen, r["dialogue"], len(chosen)))
        prompts["own template"].append(own_template_prompt(r["dialogue"]))
    return prompts


eval_prompts = style_prompts(EVAL_ROWS)
references = [r["summary"] for r in EVAL_ROWS]
results, samples = {}, {}
for style, prompts in eval_prompts.items():
    samples[style] = summarise(model, tokenizer, prompts)
    results[style] = rouge_scores(samples[style], references)
print(f"{'style':14}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-L':>9}")
for style, s in results.items():
    print(f"{style:14}{s['rouge1']:9.3f}{s['rouge2']:9.3f}{s['rougeL']:9.3f}")
for i in (0, 5):
    print(f"\nhuman: {references[i]}")
    for style in samples:
        print(f"{style:13}: {samples[style][i]}")

# %% [markdown]
# ## Question 6 – What do the numbers say? (5 points, graded by staff)
#
# Answer in four to six sentences, citing your q5 table and at least one summary. Which prompt style
# wins on ROUGE-L, and by how much over zero-shot and over no prompt? Why does tiny-flan react so
# differently to no instruction, the plain instruction, worked examples and its own template (think
# about what it was trained on)? Read a few one- and few-shot summaries: do they contain details that
# come from the examples rather than from the dialogue, and does ROUGE notice? Did two examples beat
# one? **Graded by staff** on correctness and on the use of your own numbers (5 points).

# %% [markdown]
# _A model answer._ The model's own template wins clearly (ROUGE-L about 0.59), above one-shot
# (about 0.41) and few-shot (about 0.39), both far above the plain instruction (about 0.21), which beats
# no prompt (about 0.10). Without an instruction tiny-flan does what it learnt to do with a bare dialogue: it
# continues the conversation, which is no summary at all. The plain instruction was trained with
# one-line gists, so zero-shot summaries name the topic ("talk about library") and nothing else; the
# own template was trained with detailed summaries. Worked examples switch the model to detailed
# summaries, which is most of their gain, but not always with the dialogue's content: for the library
# dialogue the few-shot summary is "#Person1# has worked as a software engineer at a software company
# for two years and can drive. #Person2# offers #Person1# the job", an example's content and nothing of
# the overdue novel, and for both doctor's visits it writes the biology-homework example's summary.
# ROUGE notices little: the wrong summaries still share "#Person1#", "#Person2#" and the detailed
# shape with the reference. Two examples did not beat one here (0.39 against 0.41) at about 1.6 times
# the input tokens (q7): the model was trained with one or two examples, and it was also trained to read
# answers out of its context (05-rag), which makes copying from the prompt's examples tempting.

# %% [markdown]
# ## Question 7 – Cost and latency (10 points)
#
# A longer prompt costs more: more tokens to pay for and more encoder work, and a longer output more
# decoder steps. Write `measure_cost(model, tokenizer, prompts, max_new_tokens=MAX_NEW_TOKENS, batch_size=8)`:
# generate greedy summaries batch by batch exactly as `summarise` does, timing the `model.generate` calls
# with `time.perf_counter()`, and return a dict with
#
# * `"input_tokens"`: the mean number of prompt tokens per summary (`</s>` included, padding not:
#   the sum of the attention mask);
# * `"output_tokens"`: the mean number of generated tokens per summary: the tokens after the decoder
#   start token, up to and including the first `</s>` (`tokenizer.eos_token_id`), not the padding
#   `generate` adds after `</s>` to the finished rows of a batch (all of them when there is no `</s>`);
# * `"seconds_per_summary"`: the seconds spent in `model.generate`, divided by the number of prompts;
# * `"tokens_per_second"`: all output tokens divided by those seconds.
#
# **Graded:** a public test of the keys and types (2 points); hidden tests compare `input_tokens`
# and `output_tokens` with the reference's for four prompt styles of the first eight evaluation
# rows, and for outputs cut short by `max_new_tokens`, exact (they do not depend on the machine's
# speed) (5 points); and check that the seconds are
# positive and that `tokens_per_second` equals `output_tokens / seconds_per_summary`
# (relative tolerance 1e-6) (3 points).

# %%
def measure_cost(model, tokenizer, prompts, max_new_tokens=MAX_NEW_TOKENS, batch_size=8):
    """Mean input and output tokens per summary, seconds per summary and output tokens per second."""
    # BEGIN SOLUTION
    input_tokens = output_tokens = 0
    seconds = 0.0
    for start in range(0, len(prompts), batch_size):
        batch = tokenizer(prompts[start:start + batch_size], padding=True, return_tensors="pt")
        started = time.perf_counter()
        with torch.no_grad():
            out = model.generate(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                                 do_sample=False, max_new_tokens=max_new_tokens)
        seconds += time.perf_counter() - started
        input_tokens += int(batch["attention_mask"].sum())
        for row in out[:, 1:].tolist():
            output_tokens += row.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in row else len(row)
    n = len(prompts)
    return {"input_tokens": input_tokens / n, "output_tokens": output_tokens / n,
            "seconds_per_summary": seconds / n, "tokens_per_second": output_tokens / seconds}
    # END SOLUTION

# %% [markdown]
# The cost of each prompt style on the first eight evaluation rows, next to its ROUGE-L from q5.
# Seconds depend on the machine and on what else runs on it; token counts do not.

# %%
cost_prompts = style_prompts(EVAL_ROWS[:8])
print(f"{'style':14}{'in tok':>8}{'out tok':>9}{'s/summary':>11}{'tok/s':>8}{'ROUGE-L':>9}")
for style, prompts in cost_prompts.items():
    c = measure_cost(model, tokenizer, prompts)
    print(f"{style:14}{c['input_tokens']:8.1f}{c['output_tokens']:9.1f}{c['seconds_per_summary']:11.4f}"
          f"{c['tokens_per_second']:8.0f}{results[style]['rougeL']:9.3f}")

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 01-prompting.ipynb`, then
# submit with `course submit 01-prompting.ipynb --student YOUR_ID`.
