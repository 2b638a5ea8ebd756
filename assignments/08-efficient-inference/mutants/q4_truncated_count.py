"""magnitude_mask prunes int(sparsity * numel) weights, truncating where Python's round (and torch's
l1_unstructured) rounds to the nearest.

loses: q4
"""


def magnitude_mask(w, sparsity):
    k = int(sparsity * w.numel())
    mask = torch.ones_like(w, dtype=torch.bool)
    if k > 0:
        mask.view(-1)[torch.topk(w.abs().flatten(), k, largest=False).indices] = False
    return mask
