"""footprint_bytes counts one Adam state per parameter instead of two (exp_avg and exp_avg_sq).

loses: q6
"""


def footprint_bytes(total, trainable, bytes_per_value=4):
    weights, gradients, adam = total * bytes_per_value, trainable * bytes_per_value, trainable * bytes_per_value
    return {"weights": weights, "gradients": gradients, "adam": adam, "total": weights + gradients + adam}
