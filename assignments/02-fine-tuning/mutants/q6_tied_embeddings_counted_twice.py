"""count_parameters walks named_parameters(remove_duplicate=False): the tied embedding is counted twice.

loses: q6
"""


def count_parameters(model):
    params = [p for _, p in model.named_parameters(remove_duplicate=False)]
    return {"total": sum(p.numel() for p in params), "trainable": sum(p.numel() for p in params if p.requires_grad)}
