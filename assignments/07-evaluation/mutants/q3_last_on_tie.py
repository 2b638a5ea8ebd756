"""choose keeps the last of tied options (>= in the scan), not the lowest index.

loses: q3
"""


def choose(sums, counts, normalise):
    scores = [s / c for s, c in zip(sums, counts)] if normalise else list(sums)
    best = 0
    for i, s in enumerate(scores):
        if s >= scores[best]:
            best = i
    return best
