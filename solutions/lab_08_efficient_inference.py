"""08-efficient-inference (Efficient inference): the reference solution.

Generated from assignments/08-efficient-inference/08-efficient-inference.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_08_efficient_inference.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_08_efficient_inference` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 08 – Efficient inference: the KV cache, quantisation, batching, pruning and distillation, measured
#
# A model that is good enough is only useful if it is cheap enough to run. Serving cost has a few
# levers, and each trades something: **memory** (bytes per weight, bytes of cache per token),
# **compute** (tokens the model processes per generated token), **latency** against **throughput**
# (one request at a time against many together), and **quality**. In this lab you pull each lever by
# hand on the course's tiny models and measure both sides of the trade:
#
# | question | what you do | points |
# | --- | --- | --- |
# | q1 | greedy decoding with and without a **KV cache**, counting the tokens the model processes; the cache's size by formula | 5 |
# | q2 | **absmax quantisation** to int8/int4/int3 per tensor, per output channel and per group, applied to tiny-flan; bytes saved, what it costs | 6 |
# | q3 | **batching**: padding waste, length-sorted batches, a batched summariser that returns what one-at-a-time decoding returns | 4 |
# | q4 | **magnitude pruning** by hand, matched to `torch.nn.utils.prune`; quality against sparsity | 5 |
# | q5 | **distillation**: a half-depth student of tiny-flan trained on the teacher's outputs and on the references | 5 |
# | q6 | what you would ship under a stated latency and memory budget (graded by staff) | 3 |
#
# **How it is graded (25 points + 3 staff-graded).** Run each `grader.check("qN")` cell: it runs the
# *public* tests. When you submit, hidden tests call **your functions** again on held-out inputs
# (other prompts, other tensors, the validation split) and load the **models you saved** with
# `save_pretrained`; a number you print or leave in a variable earns nothing by itself. The whole
# notebook runs in about a minute on one CPU core (q5 trains two small students for about 10 s each).

# %%
import copy
import math
import random
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.utils.prune as torch_prune
from transformers import T5ForConditionalGeneration

from course_lib import data, efficiency, generation, metrics
from course_lib.models import zoo

torch.manual_seed(0)

gpt, gpt_tok = zoo.load("tiny-gpt")            # GPT-2 style, 2 layers, 128 wide: support-desk chats (q1)
gpt.eval()
flan, flan_tok = zoo.load("tiny-flan")         # T5 style, 2 + 2 layers: summarises dialogues (q2-q5)
flan.eval()

dialogsum = data.load("dialogsum")
test_rows = list(dialogsum["test"])[:60]       # {"id", "dialogue", "summary", "topic"}
test_dialogues = [r["dialogue"] for r in test_rows]
test_summaries = [r["summary"] for r in test_rows]
fp32_outputs = efficiency.summarise(flan, flan_tok, test_dialogues)   # the uncompressed model's summaries
print(f"tiny-flan, float32: ROUGE-L {efficiency.rouge_l(fp32_outputs, test_summaries):.3f} on test[:60]")

# %% [markdown]
# ## Question 1 – The KV cache (5 points)
#
# A decoder generates one token per step, and each step attends to every earlier position. Without a
# cache, step $t$ runs the model on the whole sequence so far, prompt and all: the work grows with the
# square of the output's length. With a **KV cache**, the keys and values of the positions already seen
# are kept, so each step after the first runs the model on **one** new token. In `transformers` a
# forward pass with `use_cache=True` returns the cache as `out.cache` (a `DynamicCache`), and the next
# call takes it back as `cache=...`:
#
# ```python
# out = model(input_ids=torch.tensor([prompt_ids]), use_cache=True)        # the whole prompt, once
# out = model(input_ids=torch.tensor([[next_token]]), cache=out.cache, use_cache=True)   # one token
# ```
#
# Write two greedy decoders for a decoder-only model (tiny-gpt), for **one** prompt (no padding). Both
# take `prompt_ids` (a list of token ids), `max_new_tokens` and `eos_id`, and return
# `(new_tokens, processed)`:
#
# * `new_tokens`: the generated ids (a list of ints): at each step the arg-max of the last position's
#   logits; stop after `max_new_tokens` tokens, or right after producing `eos_id` (kept in the list).
#   `eos_id=None` never stops early.
# * `processed`: how many token positions you fed to the model, summed over your forward calls. Do not
#   run the model after the last token is chosen.
#
# `greedy_no_cache(model, prompt_ids, max_new_tokens, eos_id)` runs the model on the whole sequence at
# every step; `greedy_with_cache(...)` runs it on the prompt once and then on one token per step. Run
# the model under `torch.no_grad()`. `model.generate` is forbidden in both (the hidden tests compare you
# *with* it).
#
# Then `kv_cache_bytes(n_layer, n_head, n_embd, batch_size, seq_len, bytes_per_value)`: the bytes of a
# GPT-2's cache after `seq_len` positions. Each layer keeps a key and a value tensor of shape
# `(batch_size, n_head, seq_len, n_embd // n_head)`; every value takes `bytes_per_value` bytes (4 for
# float32, 2 for float16).
#
# **Graded:** a public test on a short prompt (1 point). Hidden tests: on held-out prompts both
# decoders give exactly `model.generate`'s greedy tokens (2 points); `processed` is what each loop must
# feed, for outputs stopped by `eos_id` and by `max_new_tokens` (1 point); `kv_cache_bytes` equals the
# bytes of the tensors in real caches of other GPT-2 shapes (1 point).

# %%
def greedy_no_cache(model, prompt_ids, max_new_tokens, eos_id):
    # BEGIN SOLUTION
    ids, new, processed = list(prompt_ids), [], 0
    with torch.no_grad():
        while len(new) < max_new_tokens:
            logits = model(input_ids=torch.tensor([ids])).logits
            processed += len(ids)
            token = int(logits[0, -1].argmax())
            new.append(token)
            ids.append(token)
            if token == eos_id:
                break
    return new, processed
    # END SOLUTION


def greedy_with_cache(model, prompt_ids, max_new_tokens, eos_id):
    # BEGIN SOLUTION
    step_ids, cache, new, processed = list(prompt_ids), None, [], 0
    with torch.no_grad():
        while len(new) < max_new_tokens:
            out = model(input_ids=torch.tensor([step_ids]), cache=cache, use_cache=True)
            processed += len(step_ids)
            cache = out.cache
            token = int(out.logits[0, -1].argmax())
            new.append(token)
            if token == eos_id:
                break
            step_ids = [token]
    return new, processed
    # END SOLUTION


def kv_cache_bytes(n_layer, n_head, n_embd, batch_size, seq_len, bytes_per_value):
    # BEGIN SOLUTION
    return 2 * n_layer * batch_size * n_head * seq_len * (n_embd // n_head) * bytes_per_value
    # END SOLUTION

# %%
prompt = gpt_tok("Customer: my parcel never arrived and nobody answers my emails. Agent:")["input_ids"]
print(f"prompt: {len(prompt)} tokens")
print(f"{'new tokens':>10} {'same tokens':>12} {'processed, no cache':>20} {'with cache':>11} {'ms, no cache':>13} {'with cache':>11}")
for n in (8, 32, 128, 200):
    start = time.perf_counter()
    plain, plain_count = greedy_no_cache(gpt, prompt, n, None)
    middle = time.perf_counter()
    cached, cached_count = greedy_with_cache(gpt, prompt, n, None)
    end = time.perf_counter()
    print(f"{n:>10} {str(plain == cached):>12} {plain_count:>20} {cached_count:>11} "
          f"{1000 * (middle - start):>13.0f} {1000 * (end - middle):>11.0f}")

tokens, _ = greedy_with_cache(gpt, prompt, 30, gpt_tok.eos_token_id)
print("\n" + gpt_tok.decode(prompt) + " |" + gpt_tok.decode(tokens))

# the formula against the tensors of a real cache
out = gpt(input_ids=torch.tensor([prompt]), use_cache=True)
held = sum(t.numel() * t.element_size() for layer in out.cache.layers for t in (layer.keys, layer.values))
c = gpt.config
print(f"\ncache after the prompt: {held} bytes held, "
      f"{kv_cache_bytes(c.n_layer, c.n_head, c.n_embd, 1, len(prompt), 4)} by your formula")
print(f"a 7-billion-parameter model (32 layers, 4096 wide), 4096 positions, float16: "
      f"{kv_cache_bytes(32, 32, 4096, 1, 4096, 2) / 2**30:.1f} GiB per sequence")

# %% [markdown]
# ## Question 2 – Quantisation by hand (6 points)
#
# A weight stored in float32 takes 4 bytes. **Absmax** (symmetric) quantisation to $b$ bits stores
# each weight as an integer $q \in [-q_{max}, q_{max}]$ with $q_{max} = 2^{b-1} - 1$ (127 for int8, 7 for
# int4, 3 for int3) and one float **scale** $s$ per block of weights:
#
# $$s = \frac{\max_{\text{block}} |w|}{q_{max}}, \qquad q = \mathrm{clamp}\big(\mathrm{round}(w / s), -q_{max}, q_{max}\big), \qquad \hat w = q \cdot s.$$
#
# The **granularity** is what a block is: the whole tensor (`"tensor"`), one output channel, i.e. one
# row of an `nn.Linear` weight of shape `(out_features, in_features)` (`"channel"`), or `group_size`
# consecutive weights of a row (`"group"`; `in_features` is a multiple of `group_size` for every
# layer here). One large weight inflates the scale of its whole block and crushes every small weight
# in it to zero: smaller blocks contain the damage, at the price of more scales to store.
#
# Write
#
# * `fake_quant(w, bits, granularity, group_size=32)`: $\hat w$ for a 2-D float tensor `w`, the same
#   shape and dtype (quantise then dequantise: "fake" quantisation, how the effect on quality is
#   measured before an integer kernel exists). Round with `torch.round` (half to even: 2.5 -> 2,
#   -3.5 -> -4). A block whose weights are all 0 has scale 0: its $\hat w$ is 0, never NaN.
# * `quantized_bytes(shape, bits, granularity, group_size=32)`: the bytes to store a weight of
#   `shape = (rows, cols)` this way: `ceil(rows * cols * bits / 8)` for the integers (two int4 in a
#   byte) plus 2 bytes (a float16) per scale. An int.
# * `quantize_model(model, bits, granularity, group_size=32)`: a **copy** of a T5 (`copy.deepcopy`)
#   whose every layer in `efficiency.block_linears(copy)` has its weight replaced by `fake_quant` of it.
#   The shared embedding (tied to the output layer) and the layer norms stay as they are, and so does
#   the model you were given.
#
# Do not use PyTorch's quantisation functions in them (`torch.quantize_per_channel` and friends):
# `torch.ao.quantization.quantize_dynamic` below is the library's int8, to compare with.
#
# Then save `quantize_model(flan, 4, "group")` with `save_pretrained("flan_int4_group")`.
#
# **Graded:** a public test of the rule on a small tensor (1 point). Hidden tests: `fake_quant` on
# held-out tensors with an outlier, an all-zero row and weights exactly half-way between two levels,
# at 8, 4 and 3 bits and every granularity (2 points); `quantized_bytes` (1 point); the model in
# `flan_int4_group/` is tiny-flan with exactly the block weights your `fake_quant` gives and nothing
# else changed, and your `fake_quant` reproduces the reference's fidelity on validation dialogues
# (2 points).

# %%
def fake_quant(w, bits, granularity, group_size=32):
    # BEGIN SOLUTION
    qmax = 2 ** (bits - 1) - 1
    blocks = w.reshape(w.shape[0], -1, group_size) if granularity == "group" else w
    if granularity == "tensor":
        absmax = blocks.abs().max()
    else:
        absmax = blocks.abs().amax(dim=-1, keepdim=True)
    scale = absmax / qmax
    q = torch.round(blocks / torch.where(scale > 0, scale, torch.ones_like(scale))).clamp(-qmax, qmax)
    return (q * scale).reshape(w.shape).to(w.dtype)
    # END SOLUTION


def quantized_bytes(shape, bits, granularity, group_size=32):
    # BEGIN SOLUTION
    rows, cols = shape
    scales = {"tensor": 1, "channel": rows, "group": rows * (cols // group_size)}[granularity]
    return math.ceil(rows * cols * bits / 8) + 2 * scales
    # END SOLUTION


def quantize_model(model, bits, granularity, group_size=32):
    # BEGIN SOLUTION
    quantized = copy.deepcopy(model)
    with torch.no_grad():
        for _, layer in efficiency.block_linears(quantized):
            layer.weight.copy_(fake_quant(layer.weight, bits, granularity, group_size))
    return quantized
    # END SOLUTION

# %%
SCHEMES = [(8, "tensor"), (8, "channel"), (4, "tensor"), (4, "channel"), (4, "group"), (3, "tensor"), (3, "group")]
shapes = [tuple(layer.weight.shape) for _, layer in efficiency.block_linears(flan)]
fp32_mb = sum(r * c * 4 for r, c in shapes) / 2**20
print(f"{'scheme':<14}{'MB':>7}{'rel. error':>12}{'fidelity':>10}{'ROUGE-L':>9}")
print(f"{'float32':<14}{fp32_mb:>7.3f}{0:>12.4f}{1:>10.3f}{efficiency.rouge_l(fp32_outputs, test_summaries):>9.3f}")
quantization_table = {}
for bits, granularity in SCHEMES:
    model = quantize_model(flan, bits, granularity)
    outputs = efficiency.summarise(model, flan_tok, test_dialogues)
    row = {"MB": sum(quantized_bytes(s, bits, granularity) for s in shapes) / 2**20,
           "relative_error": efficiency.weight_stats(model, flan)["relative_error"],
           "fidelity": efficiency.fidelity(outputs, fp32_outputs), "rougeL": efficiency.rouge_l(outputs, test_summaries)}
    quantization_table[f"int{bits} {granularity}"] = row
    print(f"{'int%d %s' % (bits, granularity):<14}{row['MB']:>7.3f}{row['relative_error']:>12.4f}{row['fidelity']:>10.3f}{row['rougeL']:>9.3f}")

# the library's int8 (torch.ao.quantization.quantize_dynamic): int8 weights per tensor, activations quantised on the fly
library_outputs = efficiency.summarise(efficiency.library_int8(flan), flan_tok, test_dialogues)
print(f"{'torch dynamic':<14}{'':>7}{'':>12}{efficiency.fidelity(library_outputs, fp32_outputs):>10.3f}"
      f"{efficiency.rouge_l(library_outputs, test_summaries):>9.3f}")

flan_int4 = quantize_model(flan, 4, "group")  # SOLUTION
flan_int4.save_pretrained("flan_int4_group")  # SOLUTION

# %% [markdown]
# *Fidelity* is the ROUGE-L of the quantised model's summaries against the float32 model's own: 1.0
# means it writes exactly the same. It measures what quantisation changed; ROUGE-L against the
# references also moves by a few hundredths from one slice of dialogues to another, whatever you do.
#
# The *relative error* (squared error over squared norm, across the block weights) is what a scheme
# does to the weights themselves. Per group of 32, int4's is about a third of per tensor's on every
# build of tiny-flan we trained; how much of that reaches the summaries depends on the model: on those
# builds int4 per group kept from 0.04 to 0.16 more fidelity than per tensor, while at int3 the gap was
# large on every one.

# %% [markdown]
# ## Question 3 – Batching (4 points)
#
# Running many prompts together keeps the matrix units busy: one pass over a batch of 16 costs far less
# than 16 passes. But a batch is a rectangle: every prompt is padded to the longest one in its batch, and
# the padded positions cost as much as real ones. Sorting the requests by length before batching (as
# serving systems and `course_lib.training` do) puts similar lengths together.
#
# * `padding_waste(lengths, batch_size)`: cut `lengths` (token counts, in the given order) into batches
#   of `batch_size` consecutive items (the last batch may be smaller); each batch is padded to its
#   longest item. Return the padded positions as a share of **all** positions (padded and real); 0.0 for
#   an empty list.
# * `length_sorted_batches(lengths, batch_size)`: the indices `0 .. len(lengths) - 1` sorted by length,
#   shortest first, ties in index order, cut into batches of `batch_size` (a list of lists of ints).
# * `summarise_batched(model, tokenizer, dialogues, batch_size)`: summarise `dialogues` in
#   length-sorted batches of their prompts' token counts (`len(tokenizer(p)["input_ids"])` for each
#   `p` in `efficiency.prompts(dialogues)`), each batch with
#   `efficiency.summarise(model, tokenizer, batch_dialogues, batch_size=len(batch_dialogues))`.
#   Return `(summaries, positions)`: the summaries **in the order of `dialogues`**, and the encoder
#   positions processed (each batch's length times its longest prompt, summed).
#
# **Graded:** a public test (1 point); hidden tests of `padding_waste` and `length_sorted_batches` on
# held-out lengths, with a short last batch, ties and equal lengths (1 point); `summarise_batched` on
# held-out validation dialogues gives what one-at-a-time decoding gives, in the right order, and the
# positions of length-sorted batches (2 points).

# %%
def padding_waste(lengths, batch_size):
    # BEGIN SOLUTION
    padded = total = 0
    for start in range(0, len(lengths), batch_size):
        batch = lengths[start:start + batch_size]
        total += max(batch) * len(batch)
        padded += max(batch) * len(batch) - sum(batch)
    return padded / total if total else 0.0
    # END SOLUTION


def length_sorted_batches(lengths, batch_size):
    # BEGIN SOLUTION
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
    # END SOLUTION


def summarise_batched(model, tokenizer, dialogues, batch_size):
    # BEGIN SOLUTION
    lengths = [len(tokenizer(p)["input_ids"]) for p in efficiency.prompts(dialogues)]
    summaries, positions = [None] * len(dialogues), 0
    for batch in length_sorted_batches(lengths, batch_size):
        outputs = efficiency.summarise(model, tokenizer, [dialogues[i] for i in batch], batch_size=len(batch))
        for i, text in zip(batch, outputs):
            summaries[i] = text
        positions += len(batch) * max(lengths[i] for i in batch)
    return summaries, positions
    # END SOLUTION

# %%
lengths = [len(flan_tok(p)["input_ids"]) for p in efficiency.prompts(test_dialogues)]
print(f"prompt lengths: {min(lengths)} to {max(lengths)} tokens")
print(f"{'batch size':>10} {'waste, as given':>16} {'sorted':>7} {'dialogues/s, as given':>22} {'sorted':>7}")
batching_table = {}
for bs in (1, 8, 32):
    sorted_waste = padding_waste([lengths[i] for batch in length_sorted_batches(lengths, bs) for i in batch], bs)
    given_rate, given_out = efficiency.per_second(lambda: efficiency.summarise(flan, flan_tok, test_dialogues, batch_size=bs), len(test_dialogues))
    sorted_rate, (sorted_out, _) = efficiency.per_second(lambda: summarise_batched(flan, flan_tok, test_dialogues, bs), len(test_dialogues))
    batching_table[bs] = {"waste": padding_waste(lengths, bs), "sorted_waste": sorted_waste,
                          "rate": given_rate, "sorted_rate": sorted_rate, "same": sorted_out == fp32_outputs}
    print(f"{bs:>10} {padding_waste(lengths, bs):>16.3f} {sorted_waste:>7.3f} {given_rate:>22.1f} {sorted_rate:>7.1f}")
print("length-sorted batches give the same summaries as the unbatched model:", all(r["same"] for r in batching_table.values()))

# %% [markdown]
# Sorting cuts the padding several times over, and batching multiplies the throughput. On tiny-flan
# the sorted batches are hardly faster than the unsorted ones: a step of a 1.5 M-parameter model costs
# mostly Python and the output layer, not attention over padded positions. On a large model every
# padded position costs as much as a real one, and the padding saved is compute saved.

# %% [markdown]
# ## Question 4 – Magnitude pruning (5 points)
#
# Pruning sets weights to zero, on the bet that the smallest ones matter least. Zeros save memory and
# compute only with a sparse format or structured sparsity (whole rows, 2:4 patterns); here we measure
# what unstructured sparsity costs in quality, the first question before any kernel.
#
# * `magnitude_mask(w, sparsity)`: a boolean tensor of `w`'s shape, `False` for the
#   `k = round(sparsity * w.numel())` weights of smallest **magnitude** `|w|`, `True` elsewhere. `round`
#   is Python's (half to even: `round(76.5) == 76`, `round(77.5) == 78`), as in
#   `torch.nn.utils.prune.l1_unstructured`, which you must match but not call.
# * `prune_model(model, sparsity)`: a **copy** of a T5 in which every layer of
#   `efficiency.block_linears(copy)` is pruned **on its own** to `sparsity` (each layer loses its own
#   smallest weights: no threshold shared across layers), weights multiplied by the mask, no hooks or
#   masks left on the model; the embedding and the layer norms untouched.
#
# Then save `prune_model(flan, 0.5)` with `save_pretrained("flan_pruned_50")`.
#
# **Graded:** a public test (1 point). Hidden tests: your mask prunes exactly the weights
# `torch.nn.utils.prune.l1_unstructured` prunes on held-out tensors at sparsities that round both ways
# (2 points); `flan_pruned_50/` is tiny-flan pruned layer by layer as `l1_unstructured` would and
# nothing else changed, and pruning with your mask gives the reference's quality curve on validation
# dialogues (2 points).

# %%
def magnitude_mask(w, sparsity):
    # BEGIN SOLUTION
    k = round(sparsity * w.numel())
    mask = torch.ones_like(w, dtype=torch.bool)
    if k > 0:
        smallest = torch.topk(w.abs().flatten(), k, largest=False).indices
        mask.view(-1)[smallest] = False
    return mask
    # END SOLUTION


def prune_model(model, sparsity):
    # BEGIN SOLUTION
    pruned = copy.deepcopy(model)
    with torch.no_grad():
        for _, layer in efficiency.block_linears(pruned):
            layer.weight.mul_(magnitude_mask(layer.weight, sparsity))
    return pruned
    # END SOLUTION

# %%
layer = copy.deepcopy(efficiency.block_linears(flan)[0][1])
torch_prune.l1_unstructured(layer, "weight", amount=0.3)
print("your mask is torch's:", bool((magnitude_mask(efficiency.block_linears(flan)[0][1].weight, 0.3) == layer.weight_mask.bool()).all()))

SPARSITIES = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9]   # the grader's five and the unpruned model
pruning_curve = {}
for sparsity in SPARSITIES:
    outputs = efficiency.summarise(prune_model(flan, sparsity), flan_tok, test_dialogues)
    pruning_curve[sparsity] = {"fidelity": efficiency.fidelity(outputs, fp32_outputs), "rougeL": efficiency.rouge_l(outputs, test_summaries)}
    print(f"sparsity {sparsity:.1f}: fidelity {pruning_curve[sparsity]['fidelity']:.3f}  "
          f"ROUGE-L {pruning_curve[sparsity]['rougeL']:.3f}  {outputs[0][:70]}")

flan_pruned = prune_model(flan, 0.5)  # SOLUTION
flan_pruned.save_pretrained("flan_pruned_50")  # SOLUTION

plt.figure(figsize=(5, 3))
plt.plot(SPARSITIES, [pruning_curve[s]["rougeL"] for s in SPARSITIES], marker="o", label="ROUGE-L")
plt.plot(SPARSITIES, [pruning_curve[s]["fidelity"] for s in SPARSITIES], marker="s", label="fidelity")
plt.xlabel("sparsity of every block linear layer")
plt.legend()
plt.show()

# %% [markdown]
# ## Question 5 – Distillation (5 points)
#
# A smaller model is cheaper at every step. **Distillation** trains the small *student* to imitate a
# large *teacher*; the simplest form for generation (sequence-level distillation) trains the student on
# the teacher's own outputs instead of human references. It needs no labels: any unlabelled input the
# teacher can answer becomes training data.
#
# * `make_student(teacher, layers=1)`: a new `T5ForConditionalGeneration` built from a copy of the
#   teacher's config with `num_layers` and `num_decoder_layers` set to `layers`, whose weights are
#   **copied** from the teacher's: every entry of the student's `state_dict()` takes the teacher's entry
#   of the same name (the embedding, the first `layers` blocks of the encoder and the decoder, where
#   block 0 holds T5's relative position bias, and the final layer norms). The teacher is left as it
#   was and shares no tensor with the student.
# * `distillation_targets(teacher, tokenizer, dialogues)`: the teacher's summaries of `dialogues`,
#   with `efficiency.summarise`.
#
# The cell below trains two students from `make_student(flan)` with the same recipe
# (`efficiency.train_student`: 100 steps of AdamW, batches of 16): one on the references of 400
# training dialogues, one on `distillation_targets` of the same dialogues. Save the distilled student
# with `save_pretrained("distilled_student")`.
#
# **Graded:** hidden tests only. `make_student(flan)` is a one-layer T5 with every weight equal to the
# teacher's weight of the same name (2 points). `distilled_student/` is a one-layer student whose
# greedy summaries of held-out validation dialogues reach a fidelity to the teacher's of at least 0.7
# and no more than 0.08 below the reference's (3 points).

# %%
def make_student(teacher, layers=1):
    # BEGIN SOLUTION
    config = copy.deepcopy(teacher.config)
    config.num_layers = layers
    config.num_decoder_layers = layers
    student = T5ForConditionalGeneration(config)
    teacher_state = teacher.state_dict()
    student.load_state_dict({name: teacher_state[name].detach().clone() for name in student.state_dict()})
    return student.eval()
    # END SOLUTION


def distillation_targets(teacher, tokenizer, dialogues):
    # BEGIN SOLUTION
    return efficiency.summarise(teacher, tokenizer, dialogues)
    # END SOLUTION

# %%
N_DISTILL, DISTILL_STEPS = 400, 100
train_rows = list(dialogsum["train"])[:N_DISTILL]
train_dialogues = [r["dialogue"] for r in train_rows]
teacher_outputs = distillation_targets(flan, flan_tok, train_dialogues)

on_references = make_student(flan)
reference_losses = efficiency.train_student(on_references, flan_tok, train_dialogues, [r["summary"] for r in train_rows], DISTILL_STEPS)
distilled = make_student(flan)
distill_losses = efficiency.train_student(distilled, flan_tok, train_dialogues, teacher_outputs, DISTILL_STEPS)
distilled.save_pretrained("distilled_student")  # SOLUTION

print(f"{'model':<22}{'parameters':>11}{'ROUGE-L':>9}{'fidelity':>10}{'summaries/s':>13}")
distillation_table = {}
for name, model in (("teacher", flan), ("student, untrained", make_student(flan)), ("student, references", on_references),
                    ("student, distilled", distilled)):
    rate, outputs = efficiency.per_second(lambda: efficiency.summarise(model, flan_tok, test_dialogues), len(test_dialogues))
    distillation_table[name] = {"parameters": model.num_parameters(), "rougeL": efficiency.rouge_l(outputs, test_summaries),
                                "fidelity": efficiency.fidelity(outputs, fp32_outputs), "rate": rate}
    row = distillation_table[name]
    print(f"{name:<22}{row['parameters']:>11,}{row['rougeL']:>9.3f}{row['fidelity']:>10.3f}{rate:>13.1f}")

plt.figure(figsize=(5, 3))
plt.plot(reference_losses, label="on the references")
plt.plot(distill_losses, label="on the teacher's outputs")
plt.xlabel("step")
plt.ylabel("training loss")
plt.legend()
plt.show()

# %% [markdown]
# The student has half the teacher's layers but two thirds of its parameters: the embedding shared
# with the output layer (4,099 x 128) is a third of tiny-flan, which is also why it is hardly faster
# here. In a large model the layers are almost everything, and half the layers is about half the time
# per token. The untrained student, cut from the teacher, writes nothing useful; 100 steps restore
# most of the quality. Trained on the references it learns the references; trained on the teacher's
# outputs it learns the *teacher*: compare the fidelities.

# %% [markdown]
# ## Question 6 – What would you ship? (3 points, graded by staff)
#
# You must serve a summariser built like tiny-flan but 1,000 times larger (about 1.5 billion
# parameters, 24 + 24 layers, 2048 wide) on one 4 GB accelerator, for a queue of support dialogues of
# very different lengths, with summaries of up to 200 tokens and contexts up to 2,048 tokens. In six to
# ten sentences and a little arithmetic: (a) what the weights take in float32, int8 and int4 with
# groups of 32, and what the KV cache of a batch of 8 takes (use q1's formula for the decoder's
# self-attention); (b) what each option costs in quality, by your measurements; (c) how you would
# batch and decode, and what you would ship.

# %% [markdown]
# _A model answer._ The weights take 1.5e9 × 4 B = 6 GB in float32: they do not fit. int8 per channel
# takes 1.5 GB plus negligible scales, int4 with groups of 32 takes 0.75 GB plus 2 B per 32 weights
# (about 0.09 GB). The decoder's self-attention cache for a batch of 8 and 2,048 positions in float16
# is 2 × 24 × 8 × 2048 × 2048 × 2 B = 3.2 GB, plus the cross-attention keys and values of the encoder
# output (as much again): so the cache, not the weights, is the binding constraint, and the batch must
# be smaller or the context shorter. In our measurements int8 per channel was nearly lossless
# (fidelity above 0.99, ROUGE-L within 0.01), int4 per group kept a fidelity of about 0.85 where per
# tensor dropped to about 0.7 (with a third of per tensor's error on the weights), int3 per tensor and
# sparsity above 0.5 collapsed the summaries; the one-layer distilled student kept a fidelity of about
# 0.8 at half the layers. I would ship int8 per channel (or int4 per group if the memory is needed for
# a larger batch, after checking its fidelity on our data), always decode with the KV cache (the
# uncached loop processes quadratically many tokens: 200 new tokens after a 2,048-token context would
# cost over 400,000 positions instead of about 2,250), and batch requests sorted by length, which cut
# padding from about a quarter to a tenth of the positions without changing a single output. Pruning
# without a sparse kernel saves nothing, and distillation is the option to explore when the latency
# budget, not memory, binds.

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 08-efficient-inference.ipynb`,
# then submit with `course submit 08-efficient-inference.ipynb --student YOUR_ID`.
