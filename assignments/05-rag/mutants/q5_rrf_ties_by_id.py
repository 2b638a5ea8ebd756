"""rrf_fuse breaks ties by id instead of by first appearance: sorted((-score, id)). Right whenever
the tied ids happen to be seen in sorted order.

loses: q5
"""


def rrf_fuse(rankings, k=60):
    scores = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return [doc for _, doc in sorted((-s, doc) for doc, s in scores.items())]
