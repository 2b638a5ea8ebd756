"""T5 span corruption: the self-supervised half of tiny-flan's pre-training."""

from __future__ import annotations

import random


def span_corrupt(ids: list[int], sentinel_ids: list[int], eos_id: int, rng: random.Random,
                 noise: float = 0.15, mean_span: float = 3.0) -> tuple[list[int], list[int]]:
    """Replace ~``noise`` of the tokens by sentinel-marked spans; the target lists the spans.

    ``ids`` has no trailing ``</s>``; both outputs end with ``eos_id``.
    """
    n = len(ids)
    n_noise = max(1, round(n * noise))
    n_spans = max(1, min(len(sentinel_ids), round(n_noise / mean_span)))
    starts = sorted(rng.sample(range(n), min(n_spans, n)))
    source, target, pos = [], [], 0
    for k, s in enumerate(starts):
        if s < pos:
            continue
        length = max(1, min(round(rng.expovariate(1 / mean_span)), n - s, 8))
        source += ids[pos:s] + [sentinel_ids[k]]
        target += [sentinel_ids[k]] + ids[s:s + length]
        pos = s + length
    source += ids[pos:]
    return source + [eos_id], target + [eos_id]
