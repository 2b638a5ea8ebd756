"""bm25_scores drops the idf factor: "the" and "founded" weigh as much as a town's name.

loses: q5
"""
import collections


def bm25_scores(query_tokens, docs_tokens, k1=1.5, b=0.75):
    avgdl = sum(len(d) for d in docs_tokens) / len(docs_tokens)
    scores = []
    for d in docs_tokens:
        tf = collections.Counter(d)
        scores.append(sum(tf[w] * (k1 + 1) / (tf[w] + k1 * (1 - b + b * len(d) / avgdl)) for w in query_tokens if tf[w]))
    return scores
