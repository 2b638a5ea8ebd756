"""04-rlhf (RLHF: reward model, PPO by hand, RL detoxification and DPO): the reference solution.

Generated from assignments/04-rlhf/04-rlhf.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_04_rlhf.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_04_rlhf` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 04 – RLHF: a reward model, PPO by hand, RL detoxification and DPO
#
# A pretrained language model imitates its training data, good and bad. `tiny-gpt` (a GPT-2 with about
# one million parameters) learnt from support-desk exchanges whose replies are polite half of the time
# and rude the other half: its *greedy* reply is usually polite, but a *sampled* reply is rude about
# half of the time. Human feedback fixes this in two ways, and you will do both:
#
# * **RLHF.** Fit a **reward model** to human preferences (q1), then fine-tune the policy with
#   reinforcement learning to maximise the reward while a **KL penalty** keeps it close to the
#   reference model. You write the pieces of PPO by hand (q2), then run trl's `GRPOTrainer` with the
#   `tiny-toxicity` classifier as the reward, to make the policy less toxic (q3).
# * **DPO.** Skip the reward model and the RL loop: Direct Preference Optimisation trains the policy
#   directly on the preference pairs with a classification-style loss (q4).
#
# q5 asks you to compare the two (free response, graded by staff). Everything runs on a CPU in about a minute.
#
# **How it is graded (28 points autograded, 3 by staff).** Each question says what its tests check. `grader.check("qN")`
# runs the *public* tests; at submission, *hidden* tests compare your functions with the reference
# solution on fixed, seeded inputs, and load the models your notebook saves (`reward_model/`,
# `rl_policy/`, `dpo_policy/`, next to the notebook) to measure them in the grading process, with the
# tolerances stated. Keep the training settings given in each question: they are calibrated to show
# the effect in seconds.
#
# Rules: replace each `...` with your code; do not edit the setup cell; keep the names of the saved
# folders.

# %%
import torch
import torch.nn.functional as F
from datasets import Dataset
from transformers import AutoTokenizer
from trl import DPOConfig, DPOTrainer, GRPOConfig, GRPOTrainer, RewardConfig, RewardTrainer

from course_lib import data, rlhf
from course_lib.data.toxicity import rl_prompts
from course_lib.models import zoo
from course_lib.seeding import set_seed

set_seed(0)
GPT_DIR = str(zoo.path("tiny-gpt"))          # the starting policy, and the frozen reference model
reference, tokenizer = zoo.load("tiny-gpt")
toxicity_classifier = zoo.load("tiny-toxicity")  # (BertForSequenceClassification, tokenizer): label 1 = toxic

preferences = data.generate("preferences")   # rows {"prompt", "chosen", "rejected"}
TRAIN_PAIRS = preferences["train"][:256]
HELD_OUT_PAIRS = preferences["test"][:64]
RL_PROMPTS = [r["prompt"] for r in rl_prompts()["train"]]

# trl's configs default to GPU settings: every trainer here runs on the CPU, in float32, without logging
CPU = dict(use_cpu=True, bf16=False, gradient_checkpointing=False, report_to=[], save_strategy="no",
           disable_tqdm=True, logging_steps=4, seed=0)

pair = TRAIN_PAIRS[0]
print(pair["prompt"], "\n  chosen:  ", pair["chosen"], "\n  rejected:", pair["rejected"])

# %% [markdown]
# ## Question 1 – A reward model from preferences (6 points)
#
# A reward model `r(prompt, reply)` gives one number per reply. It is trained on pairs where a human
# preferred `chosen` over `rejected`, with the **Bradley–Terry** model: the probability that `chosen`
# wins is `sigmoid(r_chosen - r_rejected)`, and the loss is its negative log-likelihood, averaged
# over the batch:
#
# $$\mathcal{L} = -\frac{1}{N}\sum_i \log \sigma\big(r^{(i)}_\text{chosen} - r^{(i)}_\text{rejected}\big)$$
#
# Write
#
# * `bradley_terry_loss(chosen_rewards, rejected_rewards)`: the loss above for two 1-D tensors of
#   rewards, as a 0-dim tensor. Use `F.logsigmoid` (it stays finite where `log(sigmoid(x))` would
#   underflow to `-inf`);
# * `preference_dataset(rows)`: a `datasets.Dataset` with the columns `prompt`, `chosen` and
#   `rejected` (in that order of meaning: `chosen` is the preferred reply), one row per pair; trl's
#   `RewardTrainer` and `DPOTrainer` both read this format;
# * then train a reward model with trl's `RewardTrainer`: `model=GPT_DIR` (trl adds a one-output
#   score head to tiny-gpt), a fresh tokenizer `AutoTokenizer.from_pretrained(GPT_DIR)` as
#   `processing_class`, `train_dataset=preference_dataset(TRAIN_PAIRS)` and
#   a `RewardConfig` with `output_dir="trl_reward"`, `max_steps=10`,
#   `per_device_train_batch_size=16`, `learning_rate=1e-3` and `**CPU`. Call the trainer
#   `reward_trainer`, train it, and save it into the folder `reward_model` with its `save_model`.
#
# **Graded:** a public test checks `bradley_terry_loss` on a small example and against the loss trl
# computes on a fixed batch (the cell after your code) (1 point); a hidden test loads `reward_model/` and checks that
# training changed tiny-gpt's weights (at least 90 % of its weight tensors differ) (1 point), compare
# `bradley_terry_loss` with the reference on seeded tensors, differences up to ±150 included, where
# `log(sigmoid(x))` underflows to `-inf` in float32 (`atol=1e-5`, 2 points), and load `reward_model/` to measure its pairwise accuracy on 64 held-out
# pairs (the share of pairs whose chosen reply scores higher): at least 0.90 and at least the
# reference's accuracy minus 0.05 (2 points).

# %%
def bradley_terry_loss(chosen_rewards, rejected_rewards):
    """Mean of -log sigmoid(r_chosen - r_rejected)."""
    return -F.logsigmoid(chosen_rewards - rejected_rewards).mean()  # SOLUTION


def preference_dataset(rows):
    """A Dataset with the columns prompt, chosen, rejected."""
    # BEGIN SOLUTION
    return Dataset.from_dict({"prompt": [r["prompt"] for r in rows],
                              "chosen": [r["chosen"] for r in rows],
                              "rejected": [r["rejected"] for r in rows]})
    # END SOLUTION

# %%
# BEGIN SOLUTION
reward_config = RewardConfig(output_dir="trl_reward", max_steps=10, per_device_train_batch_size=16,
                             learning_rate=1e-3, **CPU)
reward_trainer = RewardTrainer(model=GPT_DIR, args=reward_config, train_dataset=preference_dataset(TRAIN_PAIRS),
                               processing_class=AutoTokenizer.from_pretrained(GPT_DIR))
reward_trainer.train()
reward_trainer.save_model("reward_model")
# END SOLUTION

# %% [markdown]
# How good is it? `rlhf.pairwise_accuracy` scores both replies of each held-out pair (tokenised as
# `RewardTrainer` tokenises them: prompt, reply, end-of-sequence token) and counts the wins of the
# chosen reply:

# %%
reward_model = reward_trainer.model.eval()
print(f"pairwise accuracy on {len(HELD_OUT_PAIRS)} held-out pairs: "
      f"{rlhf.pairwise_accuracy(reward_model, tokenizer, HELD_OUT_PAIRS):.3f}")
scores = rlhf.reward_scores(reward_model, tokenizer, [pair["prompt"]] * 2, [pair["chosen"], pair["rejected"]])
print(f"reward of the chosen reply {scores[0]:.2f}, of the rejected reply {scores[1]:.2f}")

# your loss and trl's on the same 8 training pairs (trl's batches hold the chosen rows, then the rejected rows)
batch = reward_trainer.data_collator([reward_trainer.train_dataset[i] for i in range(8)])
with torch.no_grad():
    trl_loss = float(reward_trainer.compute_loss(reward_model, dict(batch)))
    rewards = reward_model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, 0]
bt_vs_trl = {"yours": float(bradley_terry_loss(*rewards.chunk(2))), "trl": trl_loss}
print("Bradley-Terry loss on 8 training pairs:", bt_vs_trl)

# %% [markdown]
# ## Question 2 – The pieces of PPO, by hand (8 points)
#
# PPO fine-tunes the policy $\pi_\theta$ on replies it sampled itself. The **reward** of a reply is the
# reward model's score, minus a **KL penalty** that keeps the policy near the frozen reference model
# $\pi_\text{ref}$; **advantages** say how much better each token did than the value model expected;
# and the **clipped surrogate loss** takes a policy-gradient step that cannot move the policy too far
# from the one that sampled the replies. Write these pure tensor functions (no model involved).
# Shapes: `B` replies of `T` tokens, `V` vocabulary entries; `mask` is a `(B, T)` float tensor, 1 on
# the reply's tokens and 0 on padding (padding is always at the end).
#
# 1. `token_logprobs(logits, tokens)`: `logits` `(B, T, V)` where `logits[b, t]` scores the token
#    `tokens[b, t]` (already aligned: no shifting here); return the `(B, T)` log-probabilities
#    `log softmax(logits[b, t])[tokens[b, t]]`.
# 2. `kl_penalty(logprobs, ref_logprobs, beta)`: the per-token penalty **added to the reward**,
#    `-beta * (logprobs - ref_logprobs)` (the log-ratio is the per-token estimate of
#    KL(policy ‖ reference); the penalty is negative where the policy makes a token more likely than
#    the reference does).
# 3. `penalized_rewards(scores, logprobs, ref_logprobs, mask, beta)`: `scores` `(B,)` holds each
#    reply's reward-model score. Return `(B, T)` per-token rewards: `kl_penalty(...)` on every reply
#    token, plus the score added at the **last** reply token (the last position where `mask` is 1),
#    and 0 on padding.
# 4. `gae(rewards, values, gamma, lam)`: generalised advantage estimation on `(B, T)` tensors, with
#    the value after the last token taken as 0:
#    $\delta_t = r_t + \gamma V_{t+1} - V_t$, $A_t = \delta_t + \gamma\lambda A_{t+1}$ (with
#    $A_T = 0$). Return `(advantages, returns)` where `returns = advantages + values`.
# 5. `normalize_advantages(advantages, mask)`: whiten over the reply tokens only: with `mean` and
#    `var` the mean and the *population* variance (divide by the number of tokens) of the entries
#    where `mask` is 1, return `(advantages - mean) / sqrt(var + 1e-8)` on the reply tokens and 0 on
#    padding.
# 6. `clipped_surrogate_loss(logprobs, old_logprobs, advantages, mask, clip_range=0.2)`: first
#    normalise the advantages with `normalize_advantages`; then with
#    `ratio = exp(logprobs - old_logprobs)`, the per-token loss is
#    `max(-A * ratio, -A * clamp(ratio, 1 - clip_range, 1 + clip_range))` (the pessimistic of the
#    two: a loss to *minimise*, the negative of PPO's clipped objective); return its mean over the
#    reply tokens (a 0-dim tensor).
#
# **Graded:** public tests check each function on a tiny example (2 points); hidden tests compare
# each with the reference on seeded random tensors, `atol=1e-5`: `token_logprobs`, `kl_penalty` and
# `penalized_rewards` (ragged masks) (2 points), `gae` at (γ, λ) = (1, 0.9) and (0.9, 0.5) (1 point),
# `normalize_advantages` (1 point), `clipped_surrogate_loss` at clip ranges 0.1 and 0.2 with ratios
# on both sides of the clip range and advantages of both signs (2 points).

# %%
def token_logprobs(logits, tokens):
    """log softmax(logits)[token] at every position: (B, T, V), (B, T) -> (B, T)."""
    return torch.log_softmax(logits.float(), dim=-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1)  # SOLUTION


def kl_penalty(logprobs, ref_logprobs, beta):
    """The per-token reward penalty -beta * (logprobs - ref_logprobs)."""
    return -beta * (logprobs - ref_logprobs)  # SOLUTION


def penalized_rewards(scores, logprobs, ref_logprobs, mask, beta):
    """Per-token rewards: the KL penalty on every reply token, plus the score at the last one."""
    # BEGIN SOLUTION
    rewards = kl_penalty(logprobs, ref_logprobs, beta) * mask
    last = mask.sum(dim=1).long() - 1
    rows = torch.arange(rewards.shape[0])
    rewards[rows, last] = rewards[rows, last] + scores
    return rewards
    # END SOLUTION


def gae(rewards, values, gamma, lam):
    """Generalised advantage estimation; the value after the last token is 0. Returns (advantages, returns)."""
    # BEGIN SOLUTION
    T = rewards.shape[1]
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(T)):
        next_value = values[:, t + 1] if t + 1 < T else torch.zeros_like(values[:, 0])
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        running = delta + gamma * lam * running
        advantages[:, t] = running
    return advantages, advantages + values
    # END SOLUTION


def normalize_advantages(advantages, mask):
    """Whiten over the reply tokens (population variance, eps 1e-8); 0 on padding."""
    # BEGIN SOLUTION
    n = mask.sum()
    mean = (advantages * mask).sum() / n
    var = (((advantages - mean) * mask) ** 2).sum() / n
    return (advantages - mean) / torch.sqrt(var + 1e-8) * mask
    # END SOLUTION


def clipped_surrogate_loss(logprobs, old_logprobs, advantages, mask, clip_range=0.2):
    """PPO's clipped surrogate loss (to minimise), averaged over the reply tokens."""
    # BEGIN SOLUTION
    adv = normalize_advantages(advantages, mask)
    ratio = torch.exp(logprobs - old_logprobs)
    unclipped = -adv * ratio
    clipped = -adv * torch.clamp(ratio, 1.0 - clip_range, 1.0 + clip_range)
    return (torch.maximum(unclipped, clipped) * mask).sum() / mask.sum()
    # END SOLUTION

# %% [markdown]
# Why the `max`? For a good token (`A > 0`) the loss `-A * ratio` falls as the ratio grows, but once
# the ratio passes `1 + clip_range` the clipped term stops falling and the `max` keeps it: no
# incentive to push further. For a bad token (`A < 0`) the same happens below `1 - clip_range`. A
# step that made things *worse* is never clipped. trl's GRPO and RLOO trainers (q3) use the same
# clipped loss; they replace the value model and GAE with advantages computed from a group of
# replies to the same prompt.

# %% [markdown]
# ## Question 3 – Detoxify with RL (8 points)
#
# trl 1.16 has no `PPOTrainer`; its online RL trainers are **GRPO** and **RLOO**. Both sample a
# *group* of replies per prompt and use each reply's reward minus the group's mean as its advantage
# (no value model, no GAE), then take clipped-surrogate steps as in q2; GRPO's `beta` adds a KL
# penalty to the frozen reference model to the loss.
#
# 1. Write `toxicity_reward(completions, **kwargs)`: GRPO calls it with the list of sampled reply
#    texts (and the dataset's other columns as keyword arguments, unused here) and expects one float
#    per reply: **1 − P(toxic)** by `tiny-toxicity`. `rlhf.toxicity_scores(texts, toxicity_classifier)`
#    gives P(toxic) of each text (a list of floats).
# 2. Train with trl's `GRPOTrainer`: `model=GPT_DIR`, `reward_funcs=toxicity_reward`,
#    `train_dataset=Dataset.from_dict({"prompt": RL_PROMPTS})`, a fresh tokenizer
#    `AutoTokenizer.from_pretrained(GPT_DIR)` as `processing_class`, and
#    a `GRPOConfig` with `output_dir="trl_grpo"`, `max_steps=24`, `learning_rate=3e-4`,
#    `lr_scheduler_type="constant"`, `per_device_train_batch_size=16`, `num_generations=4` (each
#    step: 4 prompts × 4 sampled replies), `max_completion_length=rlhf.REPLY_TOKENS`, `beta=0.2`
#    (the KL coefficient) and `**CPU`. Call it `grpo_trainer`, train it, and save the policy into
#    the folder `rl_policy` with its `save_model`.
#
# The cell after your code measures the policy before and after on 48 **held-out** prompts (4 seeded
# samples each, temperature 1, no top-k/top-p, at most 24 tokens): the mean P(toxic), and the KL
# divergence from the reference, summed over each reply's tokens (exact at every position) and
# averaged over replies (`rlhf.evaluate_policy`).
#
# **Graded:** a public test checks `toxicity_reward` on two replies (1 point); a hidden test loads
# `rl_policy/` and checks that training changed tiny-gpt's weights (at least 90 % of its weight
# tensors differ) (1 point); a hidden test compares `toxicity_reward` with the reference on six fixed replies
# (`atol=1e-4`, 2 points); a hidden test loads `rl_policy/` and measures it as above, in the grading
# process (4 points): mean toxicity at most **0.7 ×** the reference model's (a drop of at least 30 %
# relative) and at most the reference solution's
# + 0.08, with a KL to the reference of at most **8 nats** per reply, and a next-token entropy on the 64
# held-out preference replies at least **0.8 ×** tiny-gpt's (`rlhf.reply_entropy`). The last
# condition tells RL from a shortcut: dividing tiny-gpt's logits by a temperature (no training)
# also lowers the toxicity of sampled replies, but it makes the model more certain everywhere; RL
# with a KL penalty moves probability away from rude replies and leaves the entropy near
# tiny-gpt's.

# %%
def toxicity_reward(completions, **kwargs):
    """One float per reply: 1 - P(toxic) by tiny-toxicity."""
    return [1.0 - p for p in rlhf.toxicity_scores(completions, toxicity_classifier)]  # SOLUTION

# %%
# BEGIN SOLUTION
grpo_config = GRPOConfig(output_dir="trl_grpo", max_steps=24, learning_rate=3e-4, lr_scheduler_type="constant",
                         per_device_train_batch_size=16, num_generations=4,
                         max_completion_length=rlhf.REPLY_TOKENS, beta=0.2, **CPU)
grpo_trainer = GRPOTrainer(model=GPT_DIR, reward_funcs=toxicity_reward, args=grpo_config,
                           train_dataset=Dataset.from_dict({"prompt": RL_PROMPTS}),
                           processing_class=AutoTokenizer.from_pretrained(GPT_DIR))
grpo_trainer.train()
grpo_trainer.save_model("rl_policy")
# END SOLUTION

# %%
before = rlhf.evaluate_policy(reference, reference, tokenizer)
after = rlhf.evaluate_policy(grpo_trainer.model, reference, tokenizer)
print(f"mean toxicity: before {before['toxicity']:.3f}, after {after['toxicity']:.3f} "
      f"({1 - after['toxicity'] / before['toxicity']:.0%} lower); mean reward {1 - after['toxicity']:.3f}")
print(f"KL to the reference: {after['kl']:.2f} nats per reply")
for b, a in zip(before["replies"][:12:4], after["replies"][:12:4]):
    print(f"  before: {b}\n  after:  {a}")
print("trl's log (reward, per-token KL) every 4 steps:",
      [(h["step"], round(h["reward"], 2), round(h["kl"], 3)) for h in grpo_trainer.state.log_history if "reward" in h])

# %% [markdown]
# ## Question 4 – DPO (6 points)
#
# DPO shows that the KL-regularised RL objective has a closed-form optimum, and turns it into a loss on
# preference pairs: with the log-probabilities of whole replies (summed over their tokens) under the
# policy and the frozen reference,
#
# $$\mathcal{L}_\text{DPO} = -\frac{1}{N}\sum_i \log\sigma\Big(\beta\big[(\log\pi_\theta(y_w|x) - \log\pi_\text{ref}(y_w|x)) - (\log\pi_\theta(y_l|x) - \log\pi_\text{ref}(y_l|x))\big]\Big)$$
#
# where $y_w$ is the chosen and $y_l$ the rejected reply. $\beta$ plays the role of the KL coefficient:
# a larger $\beta$ keeps the policy closer to the reference. No reward model and no sampling.
#
# 1. Write `dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta)`
#    for 1-D tensors of per-reply log-probabilities; return the loss above (a 0-dim tensor), with
#    `F.logsigmoid`.
# 2. Train with trl's `DPOTrainer`: `model=GPT_DIR` (trl loads the reference model from the same
#    folder), `train_dataset=preference_dataset(TRAIN_PAIRS)`, a fresh tokenizer as
#    `processing_class`, and a `DPOConfig` with `output_dir="trl_dpo"`, `max_steps=12`,
#    `per_device_train_batch_size=8`, `learning_rate=5e-4`, `beta=0.1` and `**CPU`. Call it
#    `dpo_trainer`, train it, and save the policy into the folder `dpo_policy` with its `save_model`.
#
# The cell after your code checks your loss against trl's on a fixed batch, and measures on the 64
# held-out pairs the **chosen-over-rejected log-ratio** `log π(chosen) − log π(rejected)` before and
# after, and DPO's implicit reward margin (the bracket above, averaged).
#
# **Graded:** a public test checks `dpo_loss` on a small example and against trl's loss on the
# fixed batch (1 point); a hidden test loads `dpo_policy/` and checks that training changed tiny-gpt's weights (at
# least 90 % of its weight tensors differ) (1 point); a hidden test compares `dpo_loss` with the
# reference on seeded log-probabilities at β = 0.1, 0.5 and 2, and on a pair ranked so far the wrong
# way that `log(sigmoid(x))` underflows to `-inf` in float32 (`atol=1e-5`, 2 points); a hidden test loads `dpo_policy/` and measures, in the grading
# process, the implicit reward margin on the 64 held-out pairs (the chosen-over-rejected log-ratio
# minus the reference model's): at least 1.0 and at least half the reference solution's, with a
# next-token entropy on those replies at least **0.8 ×** tiny-gpt's (as in q3: a sharpened copy
# of tiny-gpt also raises the margin) (2 points).

# %%
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta):
    """Mean over pairs of -logsigmoid(beta * (chosen log-ratio - rejected log-ratio))."""
    # BEGIN SOLUTION
    chosen_logratios = policy_chosen_logps - ref_chosen_logps
    rejected_logratios = policy_rejected_logps - ref_rejected_logps
    return -F.logsigmoid(beta * (chosen_logratios - rejected_logratios)).mean()
    # END SOLUTION

# %%
# BEGIN SOLUTION
dpo_config = DPOConfig(output_dir="trl_dpo", max_steps=12, per_device_train_batch_size=8, learning_rate=5e-4,
                       beta=0.1, **CPU)
dpo_trainer = DPOTrainer(model=GPT_DIR, args=dpo_config, train_dataset=preference_dataset(TRAIN_PAIRS),
                         processing_class=AutoTokenizer.from_pretrained(GPT_DIR))
dpo_trainer.train()
dpo_trainer.save_model("dpo_policy")
# END SOLUTION

# %%
dpo_policy = dpo_trainer.model.eval()
# your loss and trl's on the same 8 pairs (trl's batches hold the chosen rows, then the rejected rows)
batch = dpo_trainer.data_collator([dpo_trainer.train_dataset[i] for i in range(8)])
with torch.no_grad():
    trl_dpo_loss = float(dpo_trainer.compute_loss(dpo_policy, batch))
prompts = [r["prompt"] for r in TRAIN_PAIRS[:8]]
logps = {(name, side): rlhf.completion_logprobs(model, tokenizer, prompts, [r[side] for r in TRAIN_PAIRS[:8]])
         for name, model in (("policy", dpo_policy), ("ref", reference)) for side in ("chosen", "rejected")}
my_dpo_loss = float(dpo_loss(logps["policy", "chosen"], logps["policy", "rejected"],
                             logps["ref", "chosen"], logps["ref", "rejected"], beta=0.1))
dpo_vs_trl = {"yours": my_dpo_loss, "trl": trl_dpo_loss}
print("DPO loss on 8 training pairs:", dpo_vs_trl)
before = rlhf.chosen_over_rejected(reference, tokenizer, HELD_OUT_PAIRS)
after = rlhf.chosen_over_rejected(dpo_policy, tokenizer, HELD_OUT_PAIRS)
print(f"log pi(chosen) - log pi(rejected) on held-out pairs: before {before:.2f}, after {after:.2f} "
      f"(implicit reward margin {after - before:.2f})")

# %% [markdown]
# ## Question 5 – RL or DPO? (3 points, graded by staff)
#
# In four to six sentences, compare what you saw in q3 and q4: what each method needed (models in
# memory, sampling, a reward), what each optimised and on which data, how far each moved from the
# reference (the KL numbers, the replies), and which you would choose to make this support desk
# polite, and why. When would RL with a reward model be worth its cost? **Graded by staff**, one point each:
# what each method needed and optimised; your own numbers (toxicity, KL, margins, a reply); a
# justified choice and when RL pays off.

# %% [markdown]
# _A model answer._ RL needed the policy, a frozen reference and a reward model in memory, and sampled
# its own replies at every step; it optimised the reward on prompts only, so it learnt about exactly
# the replies it produces, and with `beta` and few steps the KL stayed at a few nats per reply while
# toxicity fell by well over the 30 % asked for. Some replies became less fluent: the reward checks
# politeness, not coherence, and the KL term is what stops it from drifting further (reward hacking).
# DPO needed no reward model and no sampling, just two forward passes per pair, and it raised the
# log-ratio of chosen over rejected replies on pairs it had not seen; but it only learns from the
# fixed pairs, off-policy, so its effect on the replies the policy actually samples is indirect. Here,
# with clean preference pairs, DPO is the cheaper and simpler choice; RL with a reward model pays off
# when the reward can be computed for any new reply (a classifier, tests, a verifier), when the
# policy's own mistakes must be explored and corrected, or when preferences are scarce but a reward
# model generalises.

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 04-rlhf.ipynb`, then
# submit with `course submit 04-rlhf.ipynb --student YOUR_ID` (the saved model folders are graded
# from your notebook's run, you do not submit them).
