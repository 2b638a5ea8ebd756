"""top_k_filter softmaxes first and returns the kept probabilities, not the kept logits.

loses: q3
"""
import torch


def top_k_filter(logits, k):
    probs = torch.softmax(logits, dim=-1)
    k = min(int(k), logits.shape[-1])
    values, indices = torch.topk(probs, k, dim=-1)
    return torch.full_like(probs, float("-inf")).scatter(-1, indices, values)
