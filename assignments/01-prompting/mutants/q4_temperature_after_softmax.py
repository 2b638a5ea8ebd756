"""next_token_probs divides the probabilities by the temperature after the softmax (and renormalises): T has no effect.

loses: q4
"""
import torch


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    scores = logits
    if top_k is not None:
        scores = top_k_filter(scores, top_k)
    if top_p is not None:
        scores = top_p_filter(scores, top_p)
    probs = torch.softmax(scores, dim=-1) / temperature
    return probs / probs.sum(dim=-1, keepdim=True)
