"""sample_next_token draws from the global random generator instead of the one it is given.

loses: q5
"""
import torch


def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = next_token_probs(logits, temperature, top_k, top_p)
    return int(torch.multinomial(probs, num_samples=1))
