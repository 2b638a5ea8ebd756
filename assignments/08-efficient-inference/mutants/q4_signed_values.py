"""magnitude_mask prunes the smallest *values* (the most negative weights), not the smallest
magnitudes.

loses: q4
"""


def magnitude_mask(w, sparsity):
    k = round(sparsity * w.numel())
    mask = torch.ones_like(w, dtype=torch.bool)
    if k > 0:
        mask.view(-1)[torch.topk(w.flatten(), k, largest=False).indices] = False
    return mask
