"""compute_optimal always uses 20 tokens per parameter, whatever it is given.

loses: q4
"""


def compute_optimal(compute, tokens_per_parameter=20):
    n = math.sqrt(compute / 120)
    return n, 20 * n
