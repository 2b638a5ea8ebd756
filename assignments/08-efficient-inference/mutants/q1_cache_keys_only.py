"""kv_cache_bytes counts the keys and forgets the values: half the cache.

loses: q1
"""


def kv_cache_bytes(n_layer, n_head, n_embd, batch_size, seq_len, bytes_per_value):
    return n_layer * batch_size * n_head * seq_len * (n_embd // n_head) * bytes_per_value
