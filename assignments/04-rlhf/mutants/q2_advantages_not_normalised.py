"""clipped_surrogate_loss uses the raw advantages: the normalisation the question states is skipped.

loses: q2
"""
import torch


def clipped_surrogate_loss(logprobs, old_logprobs, advantages, mask, clip_range=0.2):
    ratio = torch.exp(logprobs - old_logprobs)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1.0 - clip_range, 1.0 + clip_range)
    return (torch.maximum(unclipped, clipped) * mask).sum() / mask.sum()
