"""03-peft (Parameter-efficient fine-tuning: LoRA and prompt tuning): the reference solution.

Generated from assignments/03-peft/03-peft.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_03_peft.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_03_peft` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 03 – Parameter-efficient fine-tuning: LoRA by hand, LoRA and prompt tuning with peft
#
# Full fine-tuning updates every weight: it needs gradients and optimizer state for all of them,
# a full copy of the model per task, and it can **forget** what the model knew before
# (*catastrophic forgetting*). Parameter-efficient fine-tuning (PEFT) trains a small number of new
# or selected parameters instead. The families: **selective** (train a subset, e.g. biases),
# **reparameterisation** (LoRA: a low-rank update `B A` added to frozen weights) and **additive**
# (prompt tuning: trainable "virtual token" embeddings prepended to the input; adapters).
#
# You work on `tiny-flan`, a 1.5 M-parameter T5 pre-trained on an instruction mix (summaries, topic
# classification, questions), and fine-tune it to write DialogSum-style summaries. You will
#
# 1. write a LoRA linear layer by hand and check it against peft's (q1);
# 2. count LoRA's trainable parameters before building the model (q2);
# 3. train LoRA with peft, save the adapter, compare its size with the model's (q3);
# 4. train soft prompts with peft's prompt tuning (q4);
# 5. fine-tune fully as the baseline, count the trainable share of any model, and fill in the
#    comparison table: full fine-tuning vs LoRA vs prompt tuning, with ROUGE-L, trainable %,
#    checkpoint size, training time and forgetting of the topic task (q5);
# 6. discuss the trade-off (q6, 3 points, graded by staff).
#
# **How it is graded (20 points autograded, 3 by staff).** Each question says what its tests check.
# `grader.check("qN")` runs the public tests. When you submit, hidden tests call your functions on
# fixed seeded inputs and models they build, compare them with the reference solution, and **load the
# folders your notebook saves** (`lora-adapter/`, `prompt-adapter/`, `full-ft/`) in the grading
# process and evaluate them there, with the tolerances stated in each question. They never read a
# number or a model your notebook left in a variable: the table you build in q5 is for you and for q6.
# Everything runs on a CPU; the whole notebook takes about a minute. Replace each `...` with your
# code; do not edit the setup cell.

# %%
import math
import time

import torch
from peft import LoraConfig, PromptTuningConfig, get_peft_model

from course_lib import lessons
from course_lib.models import zoo
from course_lib.peft_lab import evaluate as evaluate_on, folder_mb, linear_shapes, load_base, train_rows

torch.manual_seed(0)
base_model, tokenizer = load_base()          # tiny-flan (T5ForConditionalGeneration) and its tokenizer
N_PARAMS = sum(p.numel() for p in base_model.parameters())
TRAIN_ROWS = train_rows()                    # 2,400 dialogues with reference summaries
STEPS = 80                                   # optimizer steps (batch 16) for full fine-tuning and LoRA
FT_LR = 2e-3                                 # full fine-tuning: twice lessons.FT_LR, so 80 steps show forgetting
PT_STEPS, PT_LR = 30, 1e-1                   # prompt tuning: fewer steps, a larger learning rate


def fresh_base():
    """A new tiny-flan, loaded from the zoo: get_peft_model modifies the model it wraps, so wrap a fresh one."""
    return load_base()[0]


def evaluate(model):
    """ROUGE-L of greedy summaries of 50 test dialogues, and topic accuracy on 50 dialogues (forgetting probe)."""
    return evaluate_on(model, tokenizer)


def trainable_names(module):
    """Names of the parameters of `module` that an optimizer would update (requires_grad)."""
    return [name for name, p in module.named_parameters() if p.requires_grad]


def example_model(kind):
    """A fresh tiny-flan prepared as `kind` says (q5's hidden test measures your trainable_pct on these):
    "plain", "encoder frozen", "lora" (r=4 on q, k, v, o) or "prompt tuning" (10 virtual tokens)."""
    model = fresh_base()
    if kind == "encoder frozen":
        model.encoder.requires_grad_(False)
    elif kind == "lora":
        model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q", "k", "v", "o"]))
    elif kind == "prompt tuning":
        model = get_peft_model(model, PromptTuningConfig(task_type="SEQ_2_SEQ_LM", num_virtual_tokens=10))
    elif kind != "plain":
        raise ValueError(f"unknown kind {kind!r}")
    return model


base_scores = evaluate(base_model)
print(f"tiny-flan: {N_PARAMS:,} parameters; zero-shot {base_scores}")

# %% [markdown]
# ## Question 1 – A LoRA layer by hand (5 points)
#
# LoRA freezes a linear layer `y = x Wᵀ + b` (`W` is `out × in`) and learns a low-rank update:
#
#     y = x Wᵀ + b + (alpha / r) · x Aᵀ Bᵀ        A: r × in,  B: out × r
#
# Only `A` and `B` train: `r · (in + out)` parameters instead of `in · out`. `B` starts at **zero**,
# so at initialisation the layer computes exactly what the frozen layer computes, and training
# starts from the pre-trained model; `A` starts random (peft: Kaiming-uniform, `a = sqrt(5)`; the
# LoRA paper: a small Gaussian; either will do).
# The scaling `alpha / r` keeps the update's size comparable when you change `r`. After training,
# the update can be **merged**: `W' = W + (alpha / r) · B A` gives a plain linear layer with the
# same outputs and no extra cost at inference.
#
# Write `LoRALinear(base, r, alpha)`, a `torch.nn.Module` around a `torch.nn.Linear` `base`, with
# attributes `base` (the frozen layer: its weight and bias must not train), `lora_A`
# (`torch.nn.Parameter`, shape `(r, in_features)`, random: drawn afresh for every layer, so it is not
# all zero, no two of its entries are equal (a constant fill is not random), and two layers built one
# after the other get different `A`; do not reseed inside the layer), `lora_B` (`torch.nn.Parameter`,
# shape `(out_features, r)`, zeros) and `scaling` (`alpha / r`); `forward(x)` as above; and `merge()`,
# which returns a **new** `torch.nn.Linear` holding `W + scaling · B A` and the same bias.
# `lora_from_weights` (below, given) builds your layer around given weights; the tests use it.
#
# **Graded:** a public test on a 3×3 layer (1 point); hidden tests, on seeded random weights: your
# layer equals the frozen layer at initialisation (`atol=1e-6`), with `B` exactly zero and `A` random
# as above (not all zero, its entries pairwise distinct, a different `A` for a second layer built
# right after the first) (1 point); only `lora_A` and `lora_B` are trainable (1 point); with the same
# `W, b, A, B` your outputs match peft's `LoraLayer` (r = 4, alpha = 16 and r = 8, alpha = 2;
# `rtol=atol=1e-5`) (1 point); `merge()` gives peft's merged weight and the same outputs as the
# unmerged layer (`rtol=atol=1e-5`) (1 point).

# %%
def lora_from_weights(weight, bias, r, alpha, A=None, B=None):
    """Your LoRALinear around a frozen nn.Linear holding `weight` (out x in) and `bias`;
    `A` and `B`, when given, are copied into lora_A and lora_B."""
    base = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        base.weight.copy_(weight)
        base.bias.copy_(bias)
    layer = LoRALinear(base, r=r, alpha=alpha)
    with torch.no_grad():
        if A is not None:
            layer.lora_A.copy_(A)
        if B is not None:
            layer.lora_B.copy_(B)
    return layer

# %%
class LoRALinear(torch.nn.Module):
    """y = base(x) + scaling * x A^T B^T, with base frozen, A random, B zero at initialisation."""

    def __init__(self, base, r, alpha):
        super().__init__()
        # BEGIN SOLUTION
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.r, self.alpha = r, alpha
        self.scaling = alpha / r
        self.lora_A = torch.nn.Parameter(torch.empty(r, base.in_features))
        torch.nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = torch.nn.Parameter(torch.zeros(base.out_features, r))
        # END SOLUTION

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling  # SOLUTION

    def merge(self):
        """A new nn.Linear with weight W + scaling * B A and the base's bias."""
        # BEGIN SOLUTION
        merged = torch.nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            merged.weight.copy_(self.base.weight + self.scaling * (self.lora_B @ self.lora_A))
            if self.base.bias is not None:
                merged.bias.copy_(self.base.bias)
        return merged
        # END SOLUTION

# %% [markdown]
# Check your layer against peft's on one layer: the cell builds a one-layer network, lets peft put
# its `LoraLayer` around it, copies peft's `A` and a random `B` into yours, and compares.

# %%
class OneLayer(torch.nn.Module):
    def __init__(self, linear):
        super().__init__()
        self.proj = linear

    def forward(self, x):
        return self.proj(x)


g = torch.Generator().manual_seed(0)
W, b, x = torch.randn(6, 5, generator=g), torch.randn(6, generator=g), torch.randn(3, 5, generator=g)
net = OneLayer(torch.nn.Linear(5, 6))
with torch.no_grad():
    net.proj.weight.copy_(W)
    net.proj.bias.copy_(b)
peft_net = get_peft_model(net, LoraConfig(r=2, lora_alpha=8, target_modules=["proj"]))
peft_layer = peft_net.base_model.model.proj     # a peft.tuners.lora.Linear (a LoraLayer)
with torch.no_grad():
    peft_layer.lora_B["default"].weight.copy_(torch.randn(6, 2, generator=g))
mine = lora_from_weights(W, b, 2, 8, A=peft_layer.lora_A["default"].weight, B=peft_layer.lora_B["default"].weight)
print("max |mine - peft|:", float((mine(x) - peft_layer(x)).abs().max()))
print("max |merged - unmerged|:", float((mine.merge()(x) - mine(x)).abs().max()))

# %% [markdown]
# ## Question 2 – How many parameters does LoRA train? (3 points)
#
# peft puts a LoRA layer around every `nn.Linear` whose **name** matches an entry of
# `target_modules`: a module matches `"q"` when its full name is `q` or ends with `.q` (so `"o"`
# matches `...SelfAttention.o` but not `...DenseReluDense.wo`). `linear_shapes(model)` (given) lists
# every linear layer as `{name: (in_features, out_features)}`; look at it for tiny-flan below: T5
# names its attention projections `q`, `k`, `v`, `o` and its feed-forward layers `wi_0`, `wi_1`, `wo`.
#
# Write `predict_trainable(shapes, n_params, r, target_modules)`: return a pair
# `(count, percent)`: the number of parameters LoRA with rank `r` adds (and trains) on the matching
# layers, and the trainable share **as `print_trainable_parameters` reports it**: peft divides by
# all the parameters of the wrapped model, the LoRA ones included (`n_params` is the base model's
# total).
#
# **Graded:** a public test on three made-up layers (1 point); a hidden test compares with peft's
# `get_nb_trainable_parameters()` on tiny-flan for four configurations (r and target modules),
# count exact, percent within 1e-6 (2 points).

# %%
shapes = linear_shapes(base_model)
print(len(shapes), "linear layers, e.g.:")
for name in list(shapes)[:7]:
    print(f"  {name:45} {shapes[name]}")

# %%
def predict_trainable(shapes, n_params, r, target_modules):
    """(number of LoRA parameters, their share in % of all the wrapped model's parameters)."""
    # BEGIN SOLUTION
    count = sum(r * (n_in + n_out) for name, (n_in, n_out) in shapes.items()
                if any(name == t or name.endswith("." + t) for t in target_modules))
    return count, 100 * count / (n_params + count)
    # END SOLUTION

# %% [markdown]
# ## Question 3 – LoRA with peft (5 points)
#
# Set `LORA_CONFIG` to a `peft.LoraConfig` for the task `"SEQ_2_SEQ_LM"` with rank `r=8`,
# `lora_alpha=16`, LoRA on the attention's query and value projections (`q` and `v`) and no
# dropout. The next cell predicts the trainable share with your q2 function *before* building the
# model.
#
# Then, in the cell after it: wrap a **fresh** copy of tiny-flan with `get_peft_model` (call it
# `lora_model`), train it with `lessons.finetune_summarizer` on `TRAIN_ROWS` for `STEPS` steps at
# the learning rate `lessons.LORA_LR` (the course's loop: AdamW on the parameters that require gradients, batch 16, seeded), time the
# training into `lora_seconds`, and save the adapter with `save_pretrained` into the folder
# `lora-adapter`. LoRA usually wants a larger learning rate than full fine-tuning: only a few
# parameters move, from a zero update.
#
# **Graded:** a public test of the scores (ROUGE-L more than 0.2 above zero-shot) (1 point); hidden
# tests load `lora-adapter/` with `PeftModel.from_pretrained` on a fresh tiny-flan in the grading
# process and check the configuration (LoRA, r = 8, alpha = 16, exactly `q` and `v`; the LoRA
# parameters at most 5 % of the loaded model's and the reference's share within 1e-6 %) (1 point),
# evaluate it: ROUGE-L at least the reference's minus 0.03 and topic accuracy at least the
# reference's minus 0.06 (2 points), and check that the adapter is at least 10× smaller on disk
# than tiny-flan's weights and at most twice the reference adapter's size plus 0.01 MB (1 point).

# %%
LORA_CONFIG = LoraConfig(task_type="SEQ_2_SEQ_LM", r=8, lora_alpha=16, target_modules=["q", "v"], lora_dropout=0.0)  # SOLUTION

# %%
predicted, predicted_percent = predict_trainable(linear_shapes(base_model), N_PARAMS, LORA_CONFIG.r, LORA_CONFIG.target_modules)
print(f"predicted: {predicted:,} trainable parameters ({predicted_percent:.4f} %)")

# %%
torch.manual_seed(0)                  # LoRA's A matrices start random: seed them
lora_model = get_peft_model(fresh_base(), LORA_CONFIG)  # SOLUTION
lora_model.print_trainable_parameters()
start = time.perf_counter()
lessons.finetune_summarizer(lora_model, tokenizer, TRAIN_ROWS, steps=STEPS, lr=lessons.LORA_LR)  # SOLUTION
lora_seconds = time.perf_counter() - start
lora_model.save_pretrained("lora-adapter")  # SOLUTION

# %%
lora_scores = evaluate(lora_model)
print(f"LoRA: {lora_scores} after {lora_seconds:.1f} s; zero-shot was {base_scores}")
print(f"adapter on disk: {folder_mb('lora-adapter'):.3f} MB; tiny-flan's weights: "
      f"{folder_mb(zoo.path('tiny-flan') / 'model.safetensors'):.3f} MB")

# %% [markdown]
# ## Question 4 – Prompt tuning (3 points)
#
# Prompt tuning keeps the **whole model frozen**, embeddings included, and learns only the
# embeddings of a few *virtual tokens* that peft prepends to every input ("soft prompts": vectors
# that need not be the embedding of any real word). Starting them from the embeddings of a real
# instruction helps a lot on a small model.
#
# Set `PT_CONFIG` to a `peft.PromptTuningConfig` for `"SEQ_2_SEQ_LM"` with 20 virtual tokens,
# initialised from the text `"Summarize the following conversation."` (`prompt_tuning_init="TEXT"`,
# `prompt_tuning_init_text=...`, and `tokenizer_name_or_path=str(zoo.path("tiny-flan"))` so peft can
# tokenize it), and write `make_prompt_model(base)`, which returns `base` (the model it is given)
# wrapped with `PT_CONFIG`, with **only** the virtual-token embeddings trainable. The given cell
# trains it for `PT_STEPS` steps at `PT_LR` and saves it in `prompt-adapter`. For an encoder-decoder
# model peft keeps one set of virtual tokens per transformer stack, so `print_trainable_parameters`
# shows 2 × 20 × 128 parameters.
#
# **Graded:** a public test of the configuration and scores (1 point); a hidden test calls your
# `make_prompt_model(fresh_base())` and checks that only `prompt_encoder.default.embedding.weight` is
# trainable (2 × 20 × 128 parameters), that the configuration is 20 virtual tokens with the `TEXT`
# initialisation from `"Summarize the following conversation."` (the initial virtual-token embeddings
# equal peft's for that configuration within 1e-6), and that after two steps of the given
# `train_prompt` (at `PT_LR`) on 32 training dialogues the virtual-token embeddings have changed and
# every weight of tiny-flan itself (`get_base_model()`, its token embeddings `shared.weight` included)
# is exactly unchanged (1 point); a hidden test loads `prompt-adapter/` in the grading process and
# evaluates it: 20 virtual tokens, ROUGE-L at least the reference's minus 0.03 (1 point).

# %%
PT_CONFIG = PromptTuningConfig(task_type="SEQ_2_SEQ_LM", num_virtual_tokens=20, prompt_tuning_init="TEXT", prompt_tuning_init_text="Summarize the following conversation.", tokenizer_name_or_path=str(zoo.path("tiny-flan")))  # SOLUTION


def make_prompt_model(base):
    """`base` wrapped for prompt tuning with PT_CONFIG: only the virtual tokens train."""
    return get_peft_model(base, PT_CONFIG)  # SOLUTION

# %%
def train_prompt(model, rows=TRAIN_ROWS, steps=PT_STEPS):
    """Prompt tuning with the course's loop: `steps` steps at PT_LR on `rows` (q4's hidden test uses it too)."""
    return lessons.finetune_summarizer(model, tokenizer, rows, steps=steps, lr=PT_LR)


prompt_model = make_prompt_model(fresh_base())
prompt_model.print_trainable_parameters()
start = time.perf_counter()
train_prompt(prompt_model)
pt_seconds = time.perf_counter() - start
prompt_model.save_pretrained("prompt-adapter")
pt_scores = evaluate(prompt_model)
print(f"prompt tuning: {pt_scores} after {pt_seconds:.1f} s; adapter {folder_mb('prompt-adapter'):.3f} MB")

# %% [markdown]
# ## Question 5 – Full fine-tuning vs LoRA vs prompt tuning (4 points)
#
# The baseline: full fine-tuning with the course's own training loop (not lab 02's `Trainer` run,
# whose settings differ): write `full_finetune(model)`, which trains **every** weight of `model` with
# `lessons.finetune_summarizer` on `TRAIN_ROWS` for `STEPS` steps at `FT_LR` (AdamW on every
# parameter, batch 16, seeded) and returns the model. The given cell trains a fresh copy, saves it
# in `full-ft` and evaluates it.
#
# Then write `trainable_pct(model)`: the share of `model`'s parameters that train, in % (0 to 100):
# the number of elements of the parameters with `requires_grad` over the number of elements of all the
# parameters, each parameter counted once, as `model.parameters()` yields it (tied weights, such as
# T5's input embeddings shared with its output layer, count once). `example_model(kind)` (given in the
# setup cell) builds the four models the hidden test measures: try your function on them (the cell
# that prints the table prints them too). And build `comparison`: a dict with the rows `"full_ft"`,
# `"lora"` and `"prompt_tuning"`, each a dict with `rouge_l` and `topic_accuracy` (from `evaluate`),
# `trainable_pct` (your function on the trained model), `checkpoint_mb` (`folder_mb` of the folder you
# saved) and `train_s` (the training seconds). Topic accuracy measures **forgetting**: tiny-flan
# classified these dialogues' topics before any fine-tuning (see `base_scores`); nothing here trains
# on topics.
#
# **Graded:** a public test of the table's shape (1 point); a hidden test loads `full-ft/` in the
# grading process and evaluates it: ROUGE-L within 0.03 and topic accuracy within 0.06 of the
# reference's, and topic accuracy below zero-shot tiny-flan's (full fine-tuning forgets) (2 points); a
# hidden test calls your `trainable_pct` on the four `example_model`s (a fresh tiny-flan, one with its
# encoder frozen, LoRA with r = 4 on `q`, `k`, `v`, `o`, and prompt tuning with 10 virtual tokens) and
# compares each with the share computed from the parameters of the same model built in the grading
# process, within 1e-6 (in %) (1 point). The hidden tests do not read your table: it is for you and
# for q6.

# %%
def full_finetune(model):
    """Train every weight of `model` on TRAIN_ROWS: STEPS steps at FT_LR."""
    lessons.finetune_summarizer(model, tokenizer, TRAIN_ROWS, steps=STEPS, lr=FT_LR)  # SOLUTION
    return model

# %%
full_model = fresh_base()
start = time.perf_counter()
full_finetune(full_model)
full_seconds = time.perf_counter() - start
full_model.save_pretrained("full-ft")
full_scores = evaluate(full_model)
print(f"full fine-tuning: {full_scores} after {full_seconds:.1f} s")

# %%
def trainable_pct(model):
    """The share of `model`'s parameters that require gradients, in %."""
    # BEGIN SOLUTION
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return 100 * trainable / sum(p.numel() for p in model.parameters())
    # END SOLUTION


comparison = {}  # SOLUTION
# BEGIN SOLUTION NO PROMPT
comparison["full_ft"] = {**full_scores, "trainable_pct": trainable_pct(full_model), "checkpoint_mb": folder_mb("full-ft"),
                         "train_s": full_seconds}
comparison["lora"] = {**lora_scores, "trainable_pct": trainable_pct(lora_model), "checkpoint_mb": folder_mb("lora-adapter"),
                      "train_s": lora_seconds}
comparison["prompt_tuning"] = {**pt_scores, "trainable_pct": trainable_pct(prompt_model),
                               "checkpoint_mb": folder_mb("prompt-adapter"), "train_s": pt_seconds}
# END SOLUTION

# %%
print(f"{'method':<15}{'ROUGE-L':>9}{'gain kept':>11}{'topic acc':>11}{'trainable %':>13}{'ckpt MB':>9}{'train s':>9}")
print(f"{'zero-shot':<15}{base_scores['rouge_l']:>9.3f}{'':>11}{base_scores['topic_accuracy']:>11.2f}")
full_gain = comparison["full_ft"]["rouge_l"] - base_scores["rouge_l"]
for name, row in comparison.items():
    kept = (row["rouge_l"] - base_scores["rouge_l"]) / full_gain
    print(f"{name:<15}{row['rouge_l']:>9.3f}{kept:>10.0%}{row['topic_accuracy']:>11.2f}{row['trainable_pct']:>13.3f}"
          f"{row['checkpoint_mb']:>9.3f}{row['train_s']:>9.1f}")
for kind in ("plain", "encoder frozen", "lora", "prompt tuning"):
    print(f"trainable_pct(example_model({kind!r})) = {trainable_pct(example_model(kind)):.4f} %")

# %% [markdown]
# ## Question 6 – Which would you deploy? (3 points, graded by staff)
#
# Read your table. In four to six sentences: (a) how much of full fine-tuning's ROUGE-L gain do LoRA
# and prompt tuning keep, with what share of the parameters and what checkpoint size? (b) Which
# method forgot the topic task, and why does a frozen base model protect it? (c) You serve 50
# customers, each with their own summarisation style: which method do you choose and why? When
# would you still fine-tune fully? **Graded by staff**, one point for each of (a), (b) and (c), on
# correctness and on the use of your own figures.

# %% [markdown]
# _A model answer._ LoRA on q and v trains about 1.6 % of the parameters, saves a ~0.1 MB adapter
# instead of a ~6 MB model, and keeps about 88 % of full fine-tuning's ROUGE-L gain (0.62 against
# 0.68, from 0.20 zero-shot); prompt tuning trains 0.34 % (40 vectors, a ~0.03 MB adapter) and keeps
# about 83 % (0.60). Full fine-tuning moved every weight towards summaries and lost much of the topic
# task (accuracy 1.00 before, 0.64 after; LoRA 0.96, prompt tuning 1.00), while LoRA and prompt tuning
# leave the pre-trained weights untouched: with the adapter removed the base model is exactly the
# original, and with it the low-rank update is too small to overwrite the other task (the soft prompt
# is prepended to every input, topic prompts included, and cost the topic task nothing here). For 50 customers, one frozen base and 50
# small LoRA adapters (swapped per request, or merged for a single customer) cost a fraction of 50
# full copies. Full fine-tuning is worth it when the task is far from anything the base model knows,
# where a low-rank update cannot reach far enough, and only one task matters.

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 03-peft.ipynb`, then
# submit with `course submit 03-peft.ipynb --student YOUR_ID`.
