"""clipped_surrogate_loss takes the optimistic bound (min of the two losses) instead of the pessimistic one.

loses: q2
"""
import torch


def clipped_surrogate_loss(logprobs, old_logprobs, advantages, mask, clip_range=0.2):
    adv = normalize_advantages(advantages, mask)
    ratio = torch.exp(logprobs - old_logprobs)
    unclipped = -adv * ratio
    clipped = -adv * torch.clamp(ratio, 1.0 - clip_range, 1.0 + clip_range)
    return (torch.minimum(unclipped, clipped) * mask).sum() / mask.sum()
