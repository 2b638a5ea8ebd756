"""02-fine-tuning (Full fine-tuning: summaries, ROUGE and BLEU, forgetting): the reference solution.

Generated from assignments/02-fine-tuning/02-fine-tuning.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_02_fine_tuning.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_02_fine_tuning` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 02 – Full fine-tuning: summaries, ROUGE and BLEU, and what fine-tuning breaks
#
# In lab 01 you prompted `tiny-flan`, a 1.5-million-parameter stand-in for FLAN-T5, to summarise
# dialogues: with the plain instruction *"Summarize the following conversation."* it answers with a
# one-line gist ("#Person1# and #Person2# talk about ..."), far from the detailed summaries of
# DialogSum. Here you **fine-tune every weight** of the model on dialogue/summary pairs with the
# `transformers` `Trainer`, measure the gain with ROUGE and BLEU, implement ROUGE-L yourself, and then
# look at the price: the model forgets a task it knew (topic classification), which multi-task
# fine-tuning mitigates. The last question counts the memory a full fine-tune needs.
#
# | question | what you do | points |
# | --- | --- | --- |
# | q1 | instruction prompts, tokenisation with label masking, a `datasets.map` pipeline | 5 |
# | q2 | a full fine-tune with `Seq2SeqTrainer`; the loss curve; `save_pretrained` | 6 |
# | q3 | ROUGE-1/2/L and BLEU of the base and the fine-tuned model | 5 |
# | q3b | three summaries side by side (graded by staff) | 2 |
# | q4 | ROUGE-L by hand | 4 |
# | q5 | catastrophic forgetting, and multi-task fine-tuning against it | 6 |
# | q6 | the memory of a full fine-tune: weights, gradients, Adam states | 4 |
#
# **How it is graded.** Public tests (`grader.check("qN")`) catch common mistakes. When you submit,
# hidden tests call your functions on fixed inputs the notebook never sees and compare them with the
# reference solution, and **load the models your notebook saved** (`ft_summarizer/`, `ft_multitask/`)
# to evaluate them themselves: the numbers your notebook prints are never graded, only your functions
# and the models you saved. Every setting
# below is fixed so that a correct notebook reproduces the reference exactly; the tolerances are
# stated in each question.
#
# Rules: replace each `...` with your code; do not edit the setup cell or the settings. Everything
# runs on one CPU core; the whole notebook takes under a minute (each fine-tune about 10 s).

# %%
import resource
import time

import datasets
import torch
from transformers import Seq2SeqTrainer, Seq2SeqTrainingArguments

from course_lib import data, lessons
from course_lib.finetuning import (BATCH_SIZE, EVAL_ROWS, LEARNING_RATE, LOGGING_STEPS, MAX_SOURCE_TOKENS,
                                   MAX_TARGET_TOKENS, N_TRAIN, PROMPT, SEED, TOPIC_PROMPT, TOPIC_SHARE,
                                   TRAIN_STEPS, WARMUP_STEPS, summarize)
from course_lib.metrics import bleu, rouge, rouge_tokenize
from course_lib.models import zoo

datasets.disable_progress_bars()
torch.manual_seed(0)
dialogsum = data.load("dialogsum")        # DatasetDict: train (2,400) / validation / test, DialogSum's fields
topics = data.load("dialog_topics")        # the second task: dialogue -> topic label
base_model, tokenizer = zoo.load("tiny-flan")
print(dialogsum)
print(f"tiny-flan: {sum(p.numel() for p in base_model.parameters()):,} parameters; "
      f"pad token {tokenizer.pad_token!r} (id {tokenizer.pad_token_id}), eos {tokenizer.eos_token!r}")
print(f"settings: {N_TRAIN} training pairs, {TRAIN_STEPS} steps of {BATCH_SIZE}, lr {LEARNING_RATE}, "
      f"prompts <= {MAX_SOURCE_TOKENS} tokens, summaries <= {MAX_TARGET_TOKENS}, evaluation on test[:{EVAL_ROWS}]")

# %% [markdown]
# ## Question 1 – From dialogues to training examples (5 points)
#
# A sequence-to-sequence model learns from (input, target) pairs of token ids. Two steps, each a
# function that `datasets.map(..., batched=True)` applies to a *batch*: a dict of lists, one list
# per column.
#
# * `to_instruction(batch)`: from a batch of DialogSum rows (columns `dialogue`, `summary`, ...)
#   return `{"source": [...], "target": [...]}`: the source is the instruction prompt
#   `PROMPT.format(dialogue=...)` (the setup cell imported `PROMPT`, tiny-flan's zero-shot prompt),
#   the target is the summary, unchanged.
# * `tokenize(batch)`: from a batch with `source` and `target`, return `input_ids`,
#   `attention_mask` and `labels`, every row of the same length so that the `Trainer` can stack
#   them: tokenise the sources with `tokenizer(..., max_length=MAX_SOURCE_TOKENS, truncation=True,
#   padding="max_length")`, the targets the same way with `MAX_TARGET_TOKENS`, and use the
#   targets' `input_ids` as `labels` **with every padding position replaced by -100**. The loss
#   ignores label -100: without it, the model would also be trained to predict padding, which
#   dilutes the gradient of the real summary tokens. (The tokenizer appends the end-of-sequence
#   token `</s>` to each text; it stays in, it teaches the model to stop.)
#
# Then write the pipeline, `make_dataset(rows)`: from DialogSum rows (a list of dicts with every
# column), a `datasets.Dataset` (`Dataset.from_list`) mapped through both functions with
# `batched=True`, keeping only the three model columns (`remove_columns`). The training set is
# `make_dataset` of the first `N_TRAIN` training rows.
#
# **Graded:** public tests on one example (1 point); hidden tests compare `to_instruction` (1 point)
# and `tokenize` (2 points) with the reference on fixed batches, exact equality, among them a
# dialogue longer than `MAX_SOURCE_TOKENS` tokens; and call `make_dataset` on six held-out training rows (one of them too long for
# `MAX_SOURCE_TOKENS`): six rows, exactly the columns `input_ids`, `attention_mask`, `labels`, every value
# equal to the reference's (1 point).

# %%
def to_instruction(batch):
    """DialogSum rows -> {"source": instruction prompts, "target": summaries}."""
    # BEGIN SOLUTION
    return {"source": [PROMPT.format(dialogue=d) for d in batch["dialogue"]],
            "target": list(batch["summary"])}
    # END SOLUTION


def tokenize(batch):
    """{"source", "target"} -> input_ids, attention_mask and labels (-100 on padding), fixed lengths."""
    # BEGIN SOLUTION
    enc = tokenizer(batch["source"], max_length=MAX_SOURCE_TOKENS, truncation=True, padding="max_length")
    targets = tokenizer(batch["target"], max_length=MAX_TARGET_TOKENS, truncation=True, padding="max_length")
    labels = [[t if t != tokenizer.pad_token_id else -100 for t in ids] for ids in targets["input_ids"]]
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}
    # END SOLUTION


def make_dataset(rows):
    """DialogSum rows (dicts) -> a datasets.Dataset with only input_ids, attention_mask and labels."""
    # BEGIN SOLUTION
    pairs = datasets.Dataset.from_list(list(rows)).map(to_instruction, batched=True,
                                                       remove_columns=list(rows[0].keys()))
    return pairs.map(tokenize, batched=True, remove_columns=["source", "target"])
    # END SOLUTION

# %%
train_rows = dialogsum["train"].select(range(N_TRAIN))
train_pairs = train_rows.map(to_instruction, batched=True, remove_columns=train_rows.column_names)  # SOLUTION
train_ds = make_dataset(train_rows.to_list())  # SOLUTION

# %%
print(train_pairs[0]["source"])
print("->", train_pairs[0]["target"])
example = train_ds[0]
print(len(example["input_ids"]), "input ids,", sum(example["attention_mask"]), "of them real;",
      sum(t != -100 for t in example["labels"]), "label tokens of", len(example["labels"]))

# %% [markdown]
# ## Question 2 – A full fine-tune with the `Trainer` (6 points)
#
# Write `training_args(output_dir)`, returning `Seq2SeqTrainingArguments` with exactly these
# hyper-parameters (all imported by the setup cell):
#
# | argument | value | why |
# | --- | --- | --- |
# | `max_steps` | `TRAIN_STEPS` (40) | one pass over the `N_TRAIN` = 320 pairs |
# | `per_device_train_batch_size` | `BATCH_SIZE` (8) | |
# | `learning_rate` | `LEARNING_RATE` (2e-3) | AdamW, the `Trainer`'s default optimizer |
# | `lr_scheduler_type`, `warmup_steps` | `"constant_with_warmup"`, `WARMUP_STEPS` (5) | |
# | `logging_steps` | `LOGGING_STEPS` (5) | one loss value per 5 steps |
# | `seed` | `SEED` (0) | the data order and initialisation |
# | `use_cpu`, `bf16`, `report_to`, `save_strategy`, `disable_tqdm` | `True`, `False`, `[]`, `"no"`, `True` | CPU only, no logging services, no checkpoints |
#
# Then fine-tune a **fresh copy** of tiny-flan (`ft_model, _ = zoo.load("tiny-flan")`; keep
# `base_model` untouched for comparison) with `Seq2SeqTrainer(model=..., args=..., train_dataset=train_ds)`,
# keep the logged training losses in `loss_curve` with `logged_losses`, a function you write, on
# the trainer's `state.log_history`: `log_history` is a list of dicts, one per logging event; keep the `"loss"` of
# each entry that has one, in order, as floats (evaluation entries carry `"eval_loss"` instead, and
# the last entry is the run's summary with `"train_loss"`, the mean over the run: neither is a logged
# training loss), and
# save the model and the tokenizer with `save_pretrained("ft_summarizer")` (a folder next to the
# notebook: the grader loads it from there).
#
# **Graded:** a public test checks the arguments' steps and the length of `loss_curve` (1 point). Hidden tests check every hyper-parameter in the table (1 point); compare
# `logged_losses` with the reference on a fixed log history with training, evaluation and summary
# entries, exactly (1 point); and load
# `ft_summarizer/` in the grading process, summarise the first `EVAL_ROWS` test dialogues (greedy,
# `PROMPT`) and require ROUGE-L at least the reference model's minus 0.05 **and** at least the base
# model's plus 0.10 (3 points).

# %%
def training_args(output_dir):
    """The lab's hyper-parameters as Seq2SeqTrainingArguments."""
    # BEGIN SOLUTION
    return Seq2SeqTrainingArguments(
        output_dir=output_dir, max_steps=TRAIN_STEPS, per_device_train_batch_size=BATCH_SIZE,
        learning_rate=LEARNING_RATE, lr_scheduler_type="constant_with_warmup", warmup_steps=WARMUP_STEPS,
        logging_steps=LOGGING_STEPS, seed=SEED, use_cpu=True, bf16=False, report_to=[], save_strategy="no",
        disable_tqdm=True, dataloader_num_workers=0)
    # END SOLUTION


def logged_losses(log_history):
    """The training losses the Trainer logged, in order (not eval_loss, not the summary's train_loss)."""
    return [float(h["loss"]) for h in log_history if "loss" in h]  # SOLUTION

# %%
start = time.perf_counter()
ft_model, _ = zoo.load("tiny-flan")
trainer = Seq2SeqTrainer(model=ft_model, args=training_args("checkpoints/summaries"), train_dataset=train_ds)  # SOLUTION
setup_s = time.perf_counter() - start
trainer.train()  # SOLUTION
train_s = time.perf_counter() - start - setup_s
loss_curve = logged_losses(trainer.state.log_history)  # SOLUTION
ft_model.save_pretrained("ft_summarizer")  # SOLUTION
tokenizer.save_pretrained("ft_summarizer")  # SOLUTION

# %%
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

print(f"loading + Trainer set-up {setup_s:.1f} s; training {train_s:.1f} s "
      f"({1000 * train_s / TRAIN_STEPS:.0f} ms per step of {BATCH_SIZE})")
print("loss every", LOGGING_STEPS, "steps:", [round(x, 3) for x in loss_curve])
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(range(LOGGING_STEPS, LOGGING_STEPS * len(loss_curve) + 1, LOGGING_STEPS), loss_curve, marker="o")
ax.set_xlabel("step"); ax.set_ylabel("training loss (mean of 5 steps)"); ax.set_title("full fine-tune of tiny-flan")
fig.tight_layout()

# %% [markdown]
# The loss starts low (about 0.6-0.8 nats per summary token: the model already writes fluent
# DialogSum-like sentences for its own template) and moves little, yet the summaries change a lot:
# the loss is averaged over every token, and the few tokens carrying the details are where the
# model improves. Batches of 8 make each logged value noisy. Before you go on, compare the set-up
# time with the training time: with a model this small, a `Trainer` spends a visible share of its
# time on things other than arithmetic (data collation, logging, the scheduler).

# %% [markdown]
# ## Question 3 – ROUGE and BLEU (5 points)
#
# Both metrics compare a generated text with a human reference by overlapping words, from opposite
# sides. **ROUGE** (recall-oriented) asks how much of the reference the summary covers: ROUGE-1 counts
# shared words, ROUGE-2 shared word pairs, ROUGE-L the longest common subsequence (q4); the
# `rouge` function reports their F-measures, averaged over examples. **BLEU** (from machine
# translation) is precision-oriented: the geometric mean of 1- to 4-gram precisions over the whole
# corpus, times a *brevity penalty* for outputs shorter than the references.
#
# * `score_summaries(predictions, references)`: return
#   `{"rouge1": ..., "rouge2": ..., "rougeL": ..., "bleu": ...}` (floats) with `rouge(...)` and
#   `bleu(...)["bleu"]` from `course_lib.metrics` (imported in the setup cell; default arguments).
# * `evaluate_model(model, tokenizer, dialogues, summaries)`: return `(predictions, scores)`: the
#   summaries of `dialogues` made with `summarize(model, tokenizer, dialogues)` (setup cell: greedy
#   decoding with `PROMPT`, at most 48 new tokens), and their `score_summaries` against `summaries`.
# * `eval_set`: the first `EVAL_ROWS` rows of the **test** split; `base_predictions` and
#   `ft_predictions`: the summaries of its dialogues by `base_model` and `ft_model`, and
#   `scores = {"base": ..., "fine-tuned": ...}`, both with `evaluate_model`.
#
# **Graded:** a public test of `score_summaries` on two pairs (1 point); a hidden test compares it
# with the reference on fixed texts, `atol=1e-6` (2 points); a hidden test calls `evaluate_model` on 16
# held-out validation dialogues with `base_model` and with `ft_model`, and checks it against the
# grading process's own run of tiny-flan and of the model you saved in `ft_summarizer/`: at least
# 90 % of the predictions identical, and the scores those of your predictions against the summaries, `atol=1e-6` (2 points).

# %%
def score_summaries(predictions, references):
    """ROUGE-1/2/L F-measures (mean over examples) and corpus BLEU."""
    # BEGIN SOLUTION
    r = rouge(predictions, references)
    return {"rouge1": r["rouge1"], "rouge2": r["rouge2"], "rougeL": r["rougeL"],
            "bleu": bleu(predictions, references)["bleu"]}
    # END SOLUTION


def evaluate_model(model, tokenizer, dialogues, summaries):
    """(greedy summaries of `dialogues` by `model`, their score_summaries against `summaries`)."""
    # BEGIN SOLUTION
    predictions = summarize(model, tokenizer, list(dialogues))
    return predictions, score_summaries(predictions, list(summaries))
    # END SOLUTION

# %%
eval_set = dialogsum["test"].select(range(EVAL_ROWS))  # SOLUTION
scores = {}
base_predictions, scores["base"] = evaluate_model(base_model, tokenizer, eval_set["dialogue"], eval_set["summary"])  # SOLUTION
ft_predictions, scores["fine-tuned"] = evaluate_model(ft_model, tokenizer, eval_set["dialogue"], eval_set["summary"])  # SOLUTION

# %%
print(f"{'model':<12}" + "".join(f"{k:>9}" for k in ("rouge1", "rouge2", "rougeL", "bleu")))
for name, s in scores.items():
    print(f"{name:<12}" + "".join(f"{s[k]:>9.3f}" for k in ("rouge1", "rouge2", "rougeL", "bleu")))

# %% [markdown]
# ## Question 3b – Read the summaries (2 points, graded by staff)
#
# Numbers hide what changed. The cell below prints three test dialogues with the human summary, the
# base model's and the fine-tuned model's. In four to six sentences: what does fine-tuning change in
# the summaries (length, detail, style)? Find one error the fine-tuned model makes that ROUGE barely
# punishes, and say why. Why is BLEU lower than ROUGE-1 for the same summaries?

# %%
for i in (0, 7, 21):
    print(eval_set[i]["dialogue"], "\n")
    print("  human      :", eval_set[i]["summary"])
    print("  base       :", base_predictions[i])
    print("  fine-tuned :", ft_predictions[i], "\n" + "-" * 80)

# %% [markdown]
# _A model answer._ The base model answers the plain instruction with a one-line gist that names the
# topic and nothing else; after 40 steps the summaries have DialogSum's shape: who does what, with
# the details (items, times, prices) and in the third person. The fine-tuned model sometimes copies
# a wrong detail (a wrong number or a swapped #Person1#/#Person2#): ROUGE barely notices, because
# one wrong token among twenty shared ones costs little overlap, although the summary is now false.
# BLEU is lower than ROUGE-1 because it multiplies the precisions of 1- to 4-grams, and long exact
# n-grams are rare; ROUGE-1 counts single words only.

# %% [markdown]
# ## Question 4 – ROUGE-L by hand (4 points)
#
# ROUGE-L is built on the **longest common subsequence** (LCS) of the two token lists: the longest
# sequence of tokens that appears in both in the same order, not necessarily contiguously. With
# `lcs` its length, `P = lcs / len(prediction tokens)`, `R = lcs / len(reference tokens)` and the
# F-measure is `2PR / (P + R)` (0 when `lcs` is 0 or a text has no tokens).
#
# * `lcs_length(a, b)`: the LCS length of two lists of tokens, by dynamic programming: `T[i][j]` is
#   the LCS of the first `i` tokens of `a` and the first `j` of `b`; `T[i][j] = T[i-1][j-1] + 1`
#   when `a[i-1] == b[j-1]`, else `max(T[i-1][j], T[i][j-1])`.
# * `rouge_l(prediction, reference)`: the ROUGE-L F-measure, with `rouge_tokenize` (setup cell:
#   the tokenisation of the `rouge_score` package: lower case, runs of letters and digits) for both.
#
# Do not import an LCS or ROUGE-L from a library for this question.
#
# **Graded:** a public test on two short lists and an identical pair (1 point); hidden tests
# compare `lcs_length` with the reference on fixed token lists, exact (1 point), and `rouge_l` with
# the library's ROUGE-L (`rouge_per_example(..., use_stemmer=False)`) on 24 fixed pairs, among them
# empty and repeated-word texts, to 1e-6 (2 points).

# %%
def lcs_length(a, b):
    """Length of the longest common subsequence of two token lists."""
    # BEGIN SOLUTION
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[len(a)][len(b)]
    # END SOLUTION


def rouge_l(prediction, reference):
    """ROUGE-L F-measure of one prediction against one reference."""
    # BEGIN SOLUTION
    pred, ref_tokens = rouge_tokenize(prediction), rouge_tokenize(reference)
    lcs = lcs_length(pred, ref_tokens)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)
    # END SOLUTION

# %%
from course_lib.metrics import rouge_per_example

mine = [rouge_l(p, r) for p, r in zip(ft_predictions, eval_set["summary"])]
library = rouge_per_example(ft_predictions, eval_set["summary"], use_stemmer=False, rouge_types=["rougeL"])["rougeL"]
print(f"mean ROUGE-L: yours {sum(mine) / len(mine):.6f}, library {sum(library) / len(library):.6f}")
print("largest difference:", max(abs(a - b) for a, b in zip(mine, library)))

# %% [markdown]
# ## Question 5 – Catastrophic forgetting, and multi-task fine-tuning (6 points)
#
# tiny-flan was instruction-tuned on several tasks, among them naming the topic of a dialogue
# (`TOPIC_PROMPT`, setup cell). A full fine-tune on summaries alone updates every weight for one
# task only: does the model still know the other? `lessons.topic_accuracy(model, tokenizer, rows)`
# measures it (greedy answers, exact match with the `topic` field).
#
# The usual remedy is **multi-task fine-tuning**: keep examples of the old task in the training mix.
# Write `mix_tasks(summary_pairs, topic_pairs, topic_share)`: both arguments are lists of
# `{"source", "target"}` dicts; with `n = len(summary_pairs)` and `k = round(topic_share * n)`,
# return the first `n - k` summary pairs followed by the first `k` topic pairs (a list of `n` dicts:
# the mix costs the same number of steps as the single-task run; the `Trainer` shuffles it).
#
# Then fine-tune another fresh tiny-flan on `mix_tasks(train_pairs.to_list(), topic_pairs.to_list(),
# TOPIC_SHARE)` (tokenised with your `tokenize`, same `training_args`), save it with
# `save_pretrained("ft_multitask")`, and write `forgetting_row(model, tokenizer, topic_rows,
# summary_rows)`: `{"topic_accuracy": ..., "rougeL": ...}`, the topic accuracy on `topic_rows` (with
# `lessons.topic_accuracy`) and the ROUGE-L F-measure (`rouge(...)["rougeL"]`) of the model's
# `summarize` summaries of `summary_rows` (both lists of dicts). Fill the table `forgetting` with it:
# for `"base"`, `"summaries only"` (`ft_model`) and `"multi-task"` (`mt_model`), on `topic_eval` and
# the rows of `eval_set`.
#
# **Graded:** a public test of `mix_tasks`' size (1 point); a hidden test compares `mix_tasks` with the
# reference on fixed lists, with shares whose `topic_share * n` is not a whole number (1 point); a hidden test calls `forgetting_row` with `base_model` and `mt_model`
# on 16 held-out topic dialogues and 8 held-out summaries and compares it with the grading process's
# own measurement of tiny-flan and of `ft_multitask/` (topic accuracy within one dialogue, 1/16;
# ROUGE-L within 0.01) (1 point); a hidden test loads `ft_multitask/` and requires topic accuracy at least the
# reference's minus 0.10 and ROUGE-L at least the reference's minus 0.05 (3 points).

# %%
topic_eval = list(topics["test"].select(range(EVAL_ROWS)))
topic_pairs = topics["train"].select(range(N_TRAIN)).map(
    lambda b: {"source": [TOPIC_PROMPT.format(dialogue=d) for d in b["dialogue"]], "target": b["topic"]},
    batched=True, remove_columns=topics["train"].column_names)
print(topic_pairs[0]["source"][-60:], "->", topic_pairs[0]["target"])

# %%
def mix_tasks(summary_pairs, topic_pairs, topic_share):
    """n pairs: the first n - k summary pairs, then the first k topic pairs (k = round(topic_share * n))."""
    # BEGIN SOLUTION
    n_topic = round(topic_share * len(summary_pairs))
    return list(summary_pairs[:len(summary_pairs) - n_topic]) + list(topic_pairs[:n_topic])
    # END SOLUTION

# %%
mixed = mix_tasks(train_pairs.to_list(), topic_pairs.to_list(), TOPIC_SHARE)  # SOLUTION
mixed_ds = datasets.Dataset.from_list(mixed).map(tokenize, batched=True, remove_columns=["source", "target"])  # SOLUTION
mt_model, _ = zoo.load("tiny-flan")
Seq2SeqTrainer(model=mt_model, args=training_args("checkpoints/multitask"), train_dataset=mixed_ds).train()  # SOLUTION
mt_model.save_pretrained("ft_multitask")  # SOLUTION
tokenizer.save_pretrained("ft_multitask")  # SOLUTION


def forgetting_row(model, tokenizer, topic_rows, summary_rows):
    """{"topic_accuracy": on topic_rows, "rougeL": of the model's summaries of summary_rows}."""
    # BEGIN SOLUTION
    preds = summarize(model, tokenizer, [r["dialogue"] for r in summary_rows])
    return {"topic_accuracy": lessons.topic_accuracy(model, tokenizer, topic_rows),
            "rougeL": rouge(preds, [r["summary"] for r in summary_rows])["rougeL"]}
    # END SOLUTION


forgetting = {}   # {"base": {"topic_accuracy": ..., "rougeL": ...}, "summaries only": {...}, "multi-task": {...}}
for name, model in (("base", base_model), ("summaries only", ft_model), ("multi-task", mt_model)):
    forgetting[name] = forgetting_row(model, tokenizer, topic_eval, list(eval_set))  # SOLUTION

# %%
print(f"{'model':<16}{'topic accuracy':>15}{'ROUGE-L':>9}")
for name, row in forgetting.items():
    print(f"{name:<16}{row['topic_accuracy']:>15.3f}{row['rougeL']:>9.3f}")

# %% [markdown]
# Read the table before you go on: the single-task fine-tune gains ROUGE-L and loses about half of
# the topic task it knew; a quarter of topic examples in the mix keeps almost all of it, at the same
# number of steps. The price one usually expects, fewer summary examples hence a lower ROUGE-L, does
# not show here: with batches of 8 and 40 steps, a run's ROUGE-L moves by several points when only the
# number of steps changes (keep `TRAIN_STEPS` here: the tests compare with the reference's run), more
# than the mix costs, so one run of each
# cannot rank them on ROUGE-L; several seeds would. Parameter-efficient fine-tuning (lab 03) is the
# other remedy: it leaves the original weights untouched.

# %% [markdown]
# ## Question 6 – What a full fine-tune costs in memory (4 points)
#
# Training with AdamW in 32-bit floats keeps, for every **trainable** parameter, its weight (4 bytes),
# its gradient (4 bytes) and two Adam moving averages (`exp_avg`, `exp_avg_sq`: 8 bytes): about 16
# bytes per parameter before a single activation is stored. Frozen parameters keep their weights
# only.
#
# * `count_parameters(model)`: `{"total": ..., "trainable": ...}`, counting each parameter tensor
#   once: tiny-flan **ties** its input embedding and its output layer (one tensor used twice), and
#   `model.parameters()` yields a shared tensor once, as it should.
# * `footprint_bytes(total, trainable, bytes_per_value=4)`: `{"weights", "gradients", "adam",
#   "total"}` in bytes, by the rule above (`bytes_per_value` is the size of one float).
# * `held_bytes(model, optimizer)`: what the tensors really hold after a training step:
#   `{"weights", "gradients", "adam"}`, summing `t.numel() * t.element_size()` over the parameters,
#   their `.grad` (where not `None`) and **every tensor** in `optimizer.state` (AdamW also keeps a
#   one-element `step` tensor per parameter).
#
# **Graded:** a public test of `footprint_bytes` (1 point); hidden tests compare `count_parameters`
# on `base_model` and on `base_model.encoder` (1 point), `footprint_bytes` on fixed counts (1 point)
# and `held_bytes(mem_model, mem_optimizer)` (1 point) with the reference, exactly.

# %%
def count_parameters(model):
    """{"total": number of parameters, "trainable": those with requires_grad}, each tensor once."""
    # BEGIN SOLUTION
    params = list(model.parameters())
    return {"total": sum(p.numel() for p in params), "trainable": sum(p.numel() for p in params if p.requires_grad)}
    # END SOLUTION


def footprint_bytes(total, trainable, bytes_per_value=4):
    """Bytes of weights, gradients and AdamW states for a full fine-tune."""
    # BEGIN SOLUTION
    weights, gradients, adam = total * bytes_per_value, trainable * bytes_per_value, 2 * trainable * bytes_per_value
    return {"weights": weights, "gradients": gradients, "adam": adam, "total": weights + gradients + adam}
    # END SOLUTION


def held_bytes(model, optimizer):
    """Bytes the parameters, their gradients and the optimizer's state tensors really hold."""
    # BEGIN SOLUTION
    params = list(model.parameters())
    size = lambda t: t.numel() * t.element_size()
    return {"weights": sum(size(p) for p in params),
            "gradients": sum(size(p.grad) for p in params if p.grad is not None),
            "adam": sum(size(v) for state in optimizer.state.values() for v in state.values() if torch.is_tensor(v))}
    # END SOLUTION

# %%
# one real AdamW step on a fresh copy, measuring what it holds and what the forward pass saves
mem_model, _ = zoo.load("tiny-flan")
mem_model.train()
mem_optimizer = torch.optim.AdamW(mem_model.parameters(), lr=LEARNING_RATE)
batch = {k: torch.tensor(train_ds[:BATCH_SIZE][k]) for k in ("input_ids", "attention_mask", "labels")}
param_ptrs = {p.data_ptr() for p in mem_model.parameters()}
saved = {}
def keep(t):   # saved for backward: the activations (parameters excluded), each storage once
    if t.data_ptr() not in param_ptrs:
        saved[t.data_ptr()] = t.numel() * t.element_size()
    return t
with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
    loss = mem_model(**batch).loss
loss.backward()
mem_optimizer.step()

counts = count_parameters(mem_model)
computed = footprint_bytes(counts["total"], counts["trainable"])
held = held_bytes(mem_model, mem_optimizer)
MB = 2 ** 20
print(f"{counts['total']:,} parameters ({counts['trainable']:,} trainable)")
print(f"{'':<12}{'computed MB':>12}{'held MB':>10}")
for key in ("weights", "gradients", "adam"):
    print(f"{key:<12}{computed[key] / MB:>12.2f}{held[key] / MB:>10.2f}")
print(f"{'total':<12}{computed['total'] / MB:>12.2f}{sum(held.values()) / MB:>10.2f}")
print(f"activations saved for backward, one batch of {BATCH_SIZE}: {sum(saved.values()) / MB:.2f} MB")
print(f"this process's peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
big = footprint_bytes(7_000_000_000, 7_000_000_000)
print(f"the same rule for a 7-billion-parameter model: {big['total'] / 2**30:.0f} GiB before activations")

# %% [markdown]
# The counted bytes match what the tensors hold, up to AdamW's one-element `step` counters. They are
# a few tens of megabytes, while the process peaked at hundreds: at this scale the Python
# interpreter, torch's kernels and libraries, the data sets and the activations of each batch
# dominate. At the scale of real LLMs the proportions flip: 16 bytes per parameter is 112 GB for a
# 7-billion-parameter model, which is why lab 03 trains a small set of added parameters instead.

# %% [markdown]
# You are done. Check the notebook from a terminal with `course check 02-fine-tuning.ipynb` (the
# folders `ft_summarizer/` and `ft_multitask/` must sit next to it), then submit with
# `course submit 02-fine-tuning.ipynb --student YOUR_ID`.
