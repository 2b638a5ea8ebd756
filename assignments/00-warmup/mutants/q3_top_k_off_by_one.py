"""top_k_filter keeps k + 1 logits (an off-by-one in the cut).

loses: q3
"""
import torch


def top_k_filter(logits, k):
    k = min(int(k) + 1, logits.shape[-1])
    values, indices = torch.topk(logits, k, dim=-1)
    return torch.full_like(logits, float("-inf")).scatter(-1, indices, values)
