"""gpt2_parameters counts the output layer as its own V x d matrix, though it shares the embedding's.

loses: q2
"""


def gpt2_parameters(vocab_size, n_positions, n_embd, n_layer, n_inner=None):
    d = n_embd
    f = n_inner if n_inner is not None else 4 * d
    block = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * f + f) + (f * d + d)
    return 2 * vocab_size * d + n_positions * d + n_layer * block + 2 * d
