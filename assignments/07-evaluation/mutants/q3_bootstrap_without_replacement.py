"""bootstrap_ci resamples without replacement (a permutation per round): every resample has the
same mean, and the interval collapses to a point.

loses: q3
"""


def bootstrap_ci(correct, n_boot=2000, seed=0, level=0.95):
    x = np.asarray(correct, dtype=float)
    rng = np.random.default_rng(seed)
    means = np.array([x[rng.permutation(len(x))].mean() for _ in range(n_boot)])
    low, high = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(x.mean()), float(low), float(high)
