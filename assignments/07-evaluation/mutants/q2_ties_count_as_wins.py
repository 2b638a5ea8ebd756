"""pairwise_accuracy counts a tie as a win (>=): a metric that gives the paraphrase and the error
the same score (BLEU's zeros) is credited with ranking them.

loses: q2
"""


def pairwise_accuracy(good, bad):
    return sum(1.0 for g, b in zip(good, bad) if g >= b) / len(good)
