"""top_k_filter takes the softmax first and filters probabilities: it returns probabilities, not logits.

loses: q4
"""
import torch


def top_k_filter(logits, k):
    probs = torch.softmax(logits, dim=-1)
    k = min(int(k), logits.shape[-1])
    kth_largest = torch.topk(probs, k, dim=-1).values[..., -1:]
    return probs.masked_fill(probs < kth_largest, float("-inf"))
