"""prune_model prunes the smallest weights of all block layers together (one global threshold), not
each layer on its own: layers of small weights lose far more than the sparsity.

loses: q4
"""


def prune_model(model, sparsity):
    pruned = copy.deepcopy(model)
    layers = [layer for _, layer in efficiency.block_linears(pruned)]
    flat = torch.cat([layer.weight.detach().abs().flatten() for layer in layers])
    k = round(sparsity * flat.numel())
    threshold = torch.kthvalue(flat, k).values if k > 0 else torch.tensor(-1.0)
    with torch.no_grad():
        for layer in layers:
            layer.weight.mul_(layer.weight.abs() > threshold)
    return pruned
