"""Measurements for the alignment lab (``04-rlhf``), shared by its solution, its hidden tests and students.

The lab's effects are measured the same way everywhere, with these functions:

* ``sample_replies``: seeded samples (temperature 1, no top-k / top-p) of a causal LM's replies
  to prompts, keeping the token ids, as the RL trainer samples them;
* ``toxicity_scores``: P(toxic) of each reply according to ``tiny-toxicity``;
* ``reply_kl``: the KL divergence from the reference model, summed over a reply's tokens
  (exact next-token KL at every position of the sampled reply), averaged over replies;
* ``evaluate_policy``: mean toxicity and KL of a policy's replies to held-out prompts;
* ``completion_logprobs`` / ``preference_margin``: log-probabilities of completions, tokenised
  the way trl's ``DPOTrainer`` tokenises them, and DPO's implicit reward margin on pairs;
* ``reply_entropy``: a model's next-token entropy on held-out replies (a sharpened copy of
  tiny-gpt lowers it; training with a KL penalty or DPO does not);
* ``load_saved``: a reward model or policy a notebook saved, loaded safely for grading;
* ``changed_share``: the share of tiny-gpt's weight tensors a saved model changed (an untouched
  copy of tiny-gpt, or one whose last layer norm was rescaled, is not a trained model).

Greedy replies of ``tiny-gpt`` are polite; its *sampled* replies are rude about half the
time, so every toxicity here is measured on samples, with a fixed seed.
"""

from __future__ import annotations

from typing import Sequence

import torch

REPLY_TOKENS = 24       # max new tokens of a reply (training and evaluation)
EVAL_PROMPTS = 48       # held-out RL prompts used for evaluation
EVAL_SAMPLES = 4        # sampled replies per prompt
EVAL_SEED = 1234


SAVED_CLASSES = {"policy": "GPT2LMHeadModel", "reward_model": "GPT2ForSequenceClassification"}


def load_saved(folder, kind: str = "policy"):
    """``(model, tokenizer)`` from a folder a notebook saved: a tiny-gpt policy or reward model
    (``kind``), safetensors only, with the zoo's tokenizer (``course_lib.saved_models``)."""
    from course_lib.saved_models import load_saved as load

    if kind not in SAVED_CLASSES:
        raise ValueError(f"kind must be one of {sorted(SAVED_CLASSES)}, not {kind!r}")
    model, tokenizer = load(folder, SAVED_CLASSES[kind], "tiny-gpt")
    model.config.pad_token_id = tokenizer.pad_token_id     # a reward model scores right-padded batches
    return model, tokenizer


def changed_share(model) -> float:
    """The share of tiny-gpt's transformer weight tensors that differ in ``model`` (a policy or a
    reward model loaded with ``load_saved``): every weight trains in the lab's trainers, so a
    trained model changes nearly all of them; a saved copy of tiny-gpt changes none."""
    from course_lib.models import zoo

    base, _ = zoo.load("tiny-gpt")
    theirs = {name: t for name, t in model.state_dict().items() if name.startswith("transformer.")}
    ours = {name: t for name, t in base.named_parameters() if name in theirs}
    changed = sum(not torch.equal(theirs[name].float(), t.float()) for name, t in ours.items())
    return changed / max(1, len(ours))


def held_out_prompts(n: int = EVAL_PROMPTS) -> list[str]:
    """The first ``n`` RL test prompts: never seen by tiny-gpt's pre-training nor by RL training."""
    from course_lib.data.toxicity import rl_prompts

    return [r["prompt"] for r in rl_prompts()["test"][:n]]


def _left_pad(tokenizer, prompts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    from course_lib.generation import _pad

    seqs = [list(ids) for ids in tokenizer(list(prompts))["input_ids"]]
    return _pad(seqs, tokenizer.pad_token_id, side="left")


def _position_ids(mask: torch.Tensor) -> torch.Tensor:
    return (mask.cumsum(-1) - 1).clamp(min=0)


def sample_replies(model, tokenizer, prompts: Sequence[str], n_samples: int = EVAL_SAMPLES,
                   max_new_tokens: int = REPLY_TOKENS, seed: int = EVAL_SEED) -> dict:
    """Seeded samples of replies: ``{"texts", "input_ids", "attention_mask", "reply_mask", "prompt_len"}``.

    ``texts`` holds ``n_samples`` consecutive replies per prompt (special tokens removed,
    stripped); ``reply_mask`` marks the reply tokens up to and including the first eos.
    """
    from course_lib.generation import eval_mode
    from course_lib.seeding import global_rng

    ids, mask = _left_pad(tokenizer, prompts)
    with eval_mode(model), global_rng(seed):     # graders sample in threads of one process
        out = model.generate(input_ids=ids, attention_mask=mask, do_sample=True, temperature=1.0, top_k=0,
                             top_p=1.0, max_new_tokens=max_new_tokens, num_return_sequences=n_samples,
                             pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id)
    new = out[:, ids.shape[1]:]
    is_eos = (new == tokenizer.eos_token_id).long()
    after_eos = (is_eos.cumsum(-1) - is_eos) > 0          # strictly after the first eos
    reply_mask = (~after_eos).long()
    attention = torch.cat([mask.repeat_interleave(n_samples, dim=0), reply_mask], dim=1)
    texts = [t.strip() for t in tokenizer.batch_decode(new.masked_fill(after_eos, tokenizer.pad_token_id),
                                                       skip_special_tokens=True)]
    return {"texts": texts, "input_ids": out, "attention_mask": attention, "reply_mask": reply_mask,
            "prompt_len": ids.shape[1]}


def toxicity_scores(texts: Sequence[str], classifier=None) -> list[float]:
    """P(toxic) of each text according to ``tiny-toxicity`` (or ``classifier``: a folder or (model, tokenizer))."""
    from course_lib.metrics import toxicity
    from course_lib.models import zoo

    return toxicity(list(texts), classifier if classifier is not None else str(zoo.path("tiny-toxicity")))


def _next_token_logprobs(model, input_ids, attention_mask) -> torch.Tensor:
    """log-softmax of the logits at every position, shape (batch, length, vocab)."""
    logits = model(input_ids=input_ids, attention_mask=attention_mask,
                   position_ids=_position_ids(attention_mask)).logits.float()
    return torch.log_softmax(logits, dim=-1)


def reply_kl(policy, reference, samples: dict) -> float:
    """Mean over replies of sum over reply tokens of KL(policy(.|context) || reference(.|context)).

    The context of the t-th reply token is the prompt and the reply's first t tokens; the KL at
    each position is exact (a sum over the vocabulary), so the result depends only on the
    sampled replies.
    """
    from course_lib.generation import eval_mode

    ids, att, reply = samples["input_ids"], samples["attention_mask"], samples["reply_mask"]
    start = samples["prompt_len"] - 1            # logits at position i score token i + 1
    with eval_mode(policy), eval_mode(reference):
        lp = _next_token_logprobs(policy, ids, att)[:, start:-1]
        lq = _next_token_logprobs(reference, ids, att)[:, start:-1]
    kl = (lp.exp() * (lp - lq)).sum(-1)          # (batch, reply length)
    return float((kl * reply).sum(-1).mean())


def evaluate_policy(policy, reference, tokenizer, prompts: Sequence[str] | None = None,
                    n_samples: int = EVAL_SAMPLES, seed: int = EVAL_SEED) -> dict:
    """``{"toxicity": mean P(toxic) of sampled replies, "kl": reply_kl to reference, "replies": texts}``."""
    prompts = held_out_prompts() if prompts is None else list(prompts)
    samples = sample_replies(policy, tokenizer, prompts, n_samples=n_samples, seed=seed)
    scores = toxicity_scores(samples["texts"])
    kl = reply_kl(policy, reference, samples) if reference is not None else 0.0
    return {"toxicity": sum(scores) / len(scores), "kl": kl, "replies": samples["texts"]}


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _completion_positions(model, tokenizer, prompts, completions, add_eos: bool):
    """Log-softmax of ``prompt + completion (+ eos)`` and the positions predicting the completion.

    Tokenised as trl's DPOTrainer does: ``prompt`` and ``prompt + completion (+ eos)`` are
    tokenised whole, and the completion is what follows their common prefix. Returns
    ``(ids, lp, keep)``: ``lp[:, i]`` is the distribution of token ``i + 1``; ``keep`` marks the
    completion's tokens.
    """
    from course_lib.generation import _pad, eval_mode

    eos = tokenizer.eos_token if add_eos else ""
    seqs, starts = [], []
    for p, c in zip(prompts, completions):
        p_ids = tokenizer(p)["input_ids"]
        full = tokenizer(p + c + ("" if c.endswith(eos) else eos))["input_ids"]
        seqs.append(full)
        starts.append(_common_prefix(p_ids, full))
    ids, mask = _pad(seqs, tokenizer.pad_token_id, side="right")
    with eval_mode(model):
        lp = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits.float(), dim=-1)[:, :-1]
    positions = torch.arange(1, ids.shape[1])[None, :]
    keep = (positions >= torch.tensor(starts)[:, None]) & (mask[:, 1:] == 1)
    return ids, lp, keep


def completion_logprobs(model, tokenizer, prompts: Sequence[str], completions: Sequence[str],
                        add_eos: bool = True) -> torch.Tensor:
    """Sum of the log-probabilities of each completion's tokens given its prompt, shape (n,)."""
    ids, lp, keep = _completion_positions(model, tokenizer, prompts, completions, add_eos)
    token_lp = lp.gather(-1, ids[:, 1:, None])[..., 0]           # log p(token i+1 | ..i)
    return (token_lp * keep).sum(-1)


def reply_entropy(model, tokenizer, rows: Sequence[dict]) -> float:
    """Mean next-token entropy (nats) over the tokens of the rows' chosen replies, read with their prompts.

    RL with a KL penalty and DPO move probability between replies and leave this near the
    reference model's; rescaling the logits (a "sharpened" copy of the model, no training)
    lowers it everywhere, which is how the lab's tests tell the two apart.
    """
    _, lp, keep = _completion_positions(model, tokenizer, [r["prompt"] for r in rows],
                                        [r["chosen"] for r in rows], add_eos=True)
    entropy = -(lp.exp() * lp).sum(-1)
    return float(entropy[keep].mean())


def preference_margin(model, reference, tokenizer, rows: Sequence[dict]) -> float:
    """Mean over pairs of [log pi(chosen) - log ref(chosen)] - [log pi(rejected) - log ref(rejected)].

    DPO's implicit reward margin (divided by beta): positive when the model has moved
    probability from the rejected towards the chosen replies, relative to the reference.
    """
    prompts = [r["prompt"] for r in rows]
    chosen, rejected = [r["chosen"] for r in rows], [r["rejected"] for r in rows]
    pc = completion_logprobs(model, tokenizer, prompts, chosen)
    pr = completion_logprobs(model, tokenizer, prompts, rejected)
    rc = completion_logprobs(reference, tokenizer, prompts, chosen)
    rr = completion_logprobs(reference, tokenizer, prompts, rejected)
    return float(((pc - rc) - (pr - rr)).mean())


def chosen_over_rejected(model, tokenizer, rows: Sequence[dict]) -> float:
    """Mean over pairs of log pi(chosen) - log pi(rejected): the model's own preference for the chosen reply."""
    prompts = [r["prompt"] for r in rows]
    pc = completion_logprobs(model, tokenizer, prompts, [r["chosen"] for r in rows])
    pr = completion_logprobs(model, tokenizer, prompts, [r["rejected"] for r in rows])
    return float((pc - pr).mean())


def reward_scores(reward_model, tokenizer, prompts: Sequence[str], completions: Sequence[str]) -> torch.Tensor:
    """A reward model's scalar score of each ``prompt + completion + eos``, tokenised as trl's RewardTrainer does."""
    from course_lib.generation import _pad, eval_mode

    eos = tokenizer.eos_token
    seqs = [tokenizer(p + c + ("" if c.endswith(eos) else eos))["input_ids"] for p, c in zip(prompts, completions)]
    ids, mask = _pad(seqs, tokenizer.pad_token_id, side="right")
    with eval_mode(reward_model):
        return reward_model(input_ids=ids, attention_mask=mask).logits[:, 0].float()


def pairwise_accuracy(reward_model, tokenizer, rows: Sequence[dict]) -> float:
    """The fraction of pairs whose chosen reply the reward model scores above the rejected one."""
    prompts = [r["prompt"] for r in rows]
    chosen = reward_scores(reward_model, tokenizer, prompts, [r["chosen"] for r in rows])
    rejected = reward_scores(reward_model, tokenizer, prompts, [r["rejected"] for r in rows])
    return float((chosen > rejected).float().mean())
