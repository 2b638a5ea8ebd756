"""q_max taken as 2 ** (bits - 1), the negative end of a two's-complement integer: the scale is
too small by q_max / (q_max + 1) and the largest weights are clipped.

loses: q2
"""


def fake_quant(w, bits, granularity, group_size=32):
    qmax = 2 ** (bits - 1)
    blocks = w.reshape(w.shape[0], -1, group_size) if granularity == "group" else w
    absmax = blocks.abs().max() if granularity == "tensor" else blocks.abs().amax(dim=-1, keepdim=True)
    scale = absmax / qmax
    q = torch.round(blocks / torch.where(scale > 0, scale, torch.ones_like(scale))).clamp(-qmax, qmax - 1)
    return (q * scale).reshape(w.shape).to(w.dtype)
