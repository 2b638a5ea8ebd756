"""greedy_next_token takes the smallest logit (argmin) instead of the largest.

loses: q2
"""
import torch


def greedy_next_token(logits):
    return int(torch.argmin(logits))
