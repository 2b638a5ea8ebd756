"""top_p_filter adds up probabilities in vocabulary order instead of from the most likely token down.

loses: q4
"""
import torch


def top_p_filter(logits, p):
    if p >= 1.0:
        return logits.clone()
    probs = torch.softmax(logits, dim=-1)
    mass_before = torch.cumsum(probs, dim=-1) - probs
    return logits.masked_fill(mass_before >= p, float("-inf"))
