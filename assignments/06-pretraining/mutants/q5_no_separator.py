"""pack_texts runs the passages together with no eos between them.

loses: q5
"""


def pack_texts(token_lists, block_size, eos_id):
    stream = [t for ids in token_lists for t in ids]
    return [stream[i:i + block_size] for i in range(0, len(stream) - block_size + 1, block_size)]
