"""memory_gb forgets mixed precision's fp32 master copy: bf16 training at 12 bytes a parameter.

loses: q2
"""


def memory_gb(n_params, precision, training=False):
    per_value = BYTES_PER_VALUE[precision]
    if not training:
        return n_params * per_value / 1e9
    return n_params * (2 * per_value + 8) / 1e9
