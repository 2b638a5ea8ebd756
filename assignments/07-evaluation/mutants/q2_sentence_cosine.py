"""bertscore_f1 compares one mean vector per text (a sentence embedding's cosine) instead of
matching tokens greedily.

loses: q2
"""


def bertscore_f1(candidate, reference):
    c, r = token_vectors(candidate).mean(0), token_vectors(reference).mean(0)
    return float(c @ r / (np.linalg.norm(c) * np.linalg.norm(r)))
