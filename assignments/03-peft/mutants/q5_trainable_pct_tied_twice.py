"""trainable_pct counts tied weights once per name (T5's shared embeddings four times): the share is too small.

loses: q5
"""


def trainable_pct(model):
    params = [p for _, p in model.named_parameters(remove_duplicate=False)]
    return 100 * sum(p.numel() for p in params if p.requires_grad) / sum(p.numel() for p in params)
