"""quantize_model quantises every nn.Linear, lm_head included: its weight is the shared embedding,
so the input embeddings are quantised too.

loses: q2
"""


def quantize_model(model, bits, granularity, group_size=32):
    quantized = copy.deepcopy(model)
    with torch.no_grad():
        for layer in quantized.modules():
            if isinstance(layer, torch.nn.Linear):
                layer.weight.copy_(fake_quant(layer.weight, bits, granularity, group_size))
    return quantized
