"""ngrams splits on whitespace and keeps case and punctuation: "Salrin?" and "salrin" differ.

loses: q4
"""


def ngrams(text, n):
    words = text.split()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
