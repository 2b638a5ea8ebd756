"""top_k_ids takes the k lowest scores (argsort ascending), not the k highest.

loses: q2, q5
"""
import numpy as np


def top_k_ids(scores, k):
    return np.argsort(np.asarray(scores), axis=1, kind="stable")[:, :k]
