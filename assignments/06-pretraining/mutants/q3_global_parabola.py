"""isoflop_minimum fits one parabola through the whole grid: the far points bend the vertex.

loses: q3
"""


def isoflop_minimum(log_n, losses):
    a, b, _ = np.polyfit(log_n, losses, 2)
    best = min(range(len(losses)), key=lambda i: losses[i])
    if a <= 0:
        return log_n[best], False
    return float(-b / (2 * a)), True
