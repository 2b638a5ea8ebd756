"""mrr counts ranks from 0 (and guards the division), so first and second place both score 1.

loses: q3
"""


def mrr(retrieved, gold, k=None):
    total = 0.0
    for r, g in zip(retrieved, gold):
        ranked = list(r) if k is None else list(r)[:k]
        for rank, doc in enumerate(ranked):
            if doc in set(g):
                total += 1.0 / max(rank, 1)
                break
    return total / len(retrieved)
