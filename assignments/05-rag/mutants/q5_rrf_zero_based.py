"""rrf_fuse counts ranks from 0: each id scores 1 / (k + rank) with the first place at rank 0.

loses: q5
"""


def rrf_fuse(rankings, k=60):
    score, order = {}, []
    for ranking in rankings:
        for rank, doc in enumerate(ranking):
            if doc not in score:
                score[doc] = 0.0
                order.append(doc)
            score[doc] += 1.0 / (k + rank)
    return sorted(order, key=lambda d: -score[d])
