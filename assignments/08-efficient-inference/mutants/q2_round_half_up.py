"""fake_quant rounds half up (floor(x + 0.5)) instead of torch.round's half to even: weights exactly
half-way between two levels land on the other one.

loses: q2
"""


def fake_quant(w, bits, granularity, group_size=32):
    qmax = 2 ** (bits - 1) - 1
    blocks = w.reshape(w.shape[0], -1, group_size) if granularity == "group" else w
    absmax = blocks.abs().max() if granularity == "tensor" else blocks.abs().amax(dim=-1, keepdim=True)
    scale = absmax / qmax
    q = torch.floor(blocks / torch.where(scale > 0, scale, torch.ones_like(scale)) + 0.5).clamp(-qmax, qmax)
    return (q * scale).reshape(w.shape).to(w.dtype)
