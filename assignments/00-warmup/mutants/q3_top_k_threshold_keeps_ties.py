"""top_k_filter drops logits below the k-th largest, so ties at the k-th place keep more than k.

loses: q3
"""
import torch


def top_k_filter(logits, k):
    k = min(int(k), logits.shape[-1])
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))
