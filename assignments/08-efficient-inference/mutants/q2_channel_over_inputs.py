"""Per-channel scales taken over the input dimension (one per column) instead of one per output
channel (row of the nn.Linear weight).

loses: q2
"""


def fake_quant(w, bits, granularity, group_size=32):
    qmax = 2 ** (bits - 1) - 1
    if granularity == "group":
        blocks = w.reshape(w.shape[0], -1, group_size)
        absmax = blocks.abs().amax(dim=-1, keepdim=True)
    elif granularity == "channel":
        blocks = w
        absmax = w.abs().amax(dim=0, keepdim=True)
    else:
        blocks = w
        absmax = w.abs().max()
    scale = absmax / qmax
    q = torch.round(blocks / torch.where(scale > 0, scale, torch.ones_like(scale))).clamp(-qmax, qmax)
    return (q * scale).reshape(w.shape).to(w.dtype)
