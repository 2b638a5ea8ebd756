"""flag_contaminated flags overlaps strictly above the threshold: an item with exactly half its
n-grams in the corpus escapes at threshold 0.5.

loses: q4
"""


def flag_contaminated(items, documents, n=8, threshold=0.5):
    corpus = set()
    for doc in documents:
        corpus |= ngrams(doc, n)
    return [it["id"] for it in items if overlap(item_text(it), corpus, n) > threshold]
