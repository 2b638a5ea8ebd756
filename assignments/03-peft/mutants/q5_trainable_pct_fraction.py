"""trainable_pct returns a fraction in 0-1, not a percentage.

loses: q5
"""


def trainable_pct(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable / sum(p.numel() for p in model.parameters())
