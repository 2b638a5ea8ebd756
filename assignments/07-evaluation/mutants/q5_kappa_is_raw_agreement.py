"""cohen_kappa returns the raw agreement p_o: no correction for the agreement chance alone gives.

loses: q5
"""


def cohen_kappa(a, b):
    return sum(x == y for x, y in zip(a, b)) / len(a)
