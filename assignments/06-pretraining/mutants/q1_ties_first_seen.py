"""learn_bpe breaks ties by the pair counted first (Counter.most_common), not by the smallest pair.

loses: q1
"""


def learn_bpe(texts, num_merges):
    words = Counter(tuple(w) + (END,) for text in texts for w in text.split())
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = pairs.most_common(1)[0][0]
        merges.append(best)
        words = Counter({merge_pair(word, best): count for word, count in words.items()})
    return merges
