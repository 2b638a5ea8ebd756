"""bpe_encode splits each word greedily into the longest known tokens instead of replaying the merges.

loses: q1
"""


def bpe_encode(text, merges):
    vocab = {a + b for a, b in merges} | {c for pair in merges for part in pair for c in part} | {END}
    tokens = []
    for w in text.split():
        rest = w + END
        while rest:
            for end in range(len(rest), 0, -1):
                if rest[:end] in vocab or end == 1:
                    tokens.append(rest[:end])
                    rest = rest[end:]
                    break
    return tokens
