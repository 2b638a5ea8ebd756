"""next_token_probs divides the probabilities by the temperature after the softmax (then renormalises).

loses: q5
"""
import torch


def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    scaled = logits
    if top_k is not None:
        scaled = top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = top_p_filter(scaled, top_p)
    probs = torch.softmax(scaled, dim=-1) / temperature
    return probs / probs.sum(dim=-1, keepdim=True)
