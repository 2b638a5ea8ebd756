"""learn_bpe counts each distinct word once: frequent words weigh no more than rare ones.

loses: q1
"""


def learn_bpe(texts, num_merges):
    words = {tuple(w) + (END,) for text in texts for w in text.split()}
    merges = []
    for _ in range(num_merges):
        pairs = Counter(pair for word in words for pair in zip(word, word[1:]))
        if not pairs:
            break
        top = max(pairs.values())
        best = min(pair for pair, count in pairs.items() if count == top)
        merges.append(best)
        words = {merge_pair(word, best) for word in words}
    return merges
