"""fake_quant divides by the scale of an all-zero block, 0: the block becomes NaN.

loses: q2
"""


def fake_quant(w, bits, granularity, group_size=32):
    qmax = 2 ** (bits - 1) - 1
    blocks = w.reshape(w.shape[0], -1, group_size) if granularity == "group" else w
    absmax = blocks.abs().max() if granularity == "tensor" else blocks.abs().amax(dim=-1, keepdim=True)
    scale = absmax / qmax
    q = torch.round(blocks / scale).clamp(-qmax, qmax)
    return (q * scale).reshape(w.shape).to(w.dtype)
