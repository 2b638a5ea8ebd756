"""paired_bootstrap resamples the two results independently: each item loses its pair, and the
interval of the difference is far too wide.

loses: q3
"""


def paired_bootstrap(a, b, n_boot=2000, seed=0, level=0.95):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, len(a), size=(n_boot, len(a)))
    ib = rng.integers(0, len(b), size=(n_boot, len(b)))
    diffs = a[ia].mean(axis=1) - b[ib].mean(axis=1)
    low, high = np.percentile(diffs, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(a.mean() - b.mean()), float(low), float(high)
