"""memory_gb divides by 2**30 (GiB) where the question asks for GB of 10**9 bytes.

loses: q2
"""


def memory_gb(n_params, precision, training=False):
    per_value = BYTES_PER_VALUE[precision]
    if not training:
        return n_params * per_value / 2**30
    master = 0 if precision == "fp32" else 4
    return n_params * (2 * per_value + 8 + master) / 2**30
