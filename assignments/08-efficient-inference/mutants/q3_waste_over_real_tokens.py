"""padding_waste divides the padded positions by the real tokens, not by all positions.

loses: q3
"""


def padding_waste(lengths, batch_size):
    padded = real = 0
    for start in range(0, len(lengths), batch_size):
        batch = lengths[start:start + batch_size]
        padded += max(batch) * len(batch) - sum(batch)
        real += sum(batch)
    return padded / real if real else 0.0
