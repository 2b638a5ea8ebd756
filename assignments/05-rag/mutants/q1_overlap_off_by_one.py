"""chunk_token_ids steps one token too far: neighbouring chunks share overlap - 1 tokens, not overlap.

loses: q1
"""


def chunk_token_ids(ids, size, overlap):
    ids = list(ids)
    stride = size - overlap + 1
    chunks, start = [], 0
    while start < len(ids):
        chunks.append(ids[start:start + size])
        if start + size >= len(ids):
            break
        start += stride
    return chunks
