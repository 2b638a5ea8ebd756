"""``dialogsum``: dialogue summarisation in DialogSum's shape (id, dialogue, summary, topic).

2,400 train / 200 validation / 200 test dialogues over 25 scenario types, generated from a
seed by ``course_lib.data.scenarios``. Dialogues are unique across splits.
"""

from __future__ import annotations

import random

from course_lib.data.scenarios import make_dialogue

VERSION = 1
SEED = 20240501
SPLITS = {"train": 2400, "validation": 200, "test": 200}


def unique_dialogues(seed: int, count: int, exclude: set[str] = frozenset(), prefix: str = "d"):
    """``count`` distinct dialogues (by text) from ``seed``, skipping texts in ``exclude``."""
    rng = random.Random(seed)
    seen, out = set(exclude), []
    while len(out) < count:
        scenario, d = make_dialogue(rng)
        text = d.text()
        if text in seen:
            continue
        seen.add(text)
        out.append((f"{prefix}{len(out):05d}", scenario, d))
    return out


def generate() -> dict[str, list[dict]]:
    total = sum(SPLITS.values())
    items = unique_dialogues(SEED, total)
    splits, start = {}, 0
    for split, n in SPLITS.items():
        splits[split] = [
            {"id": f"{split}_{i:04d}", "dialogue": d.text(), "summary": d.summary, "topic": d.topic}
            for i, (_, _, d) in enumerate(items[start:start + n])
        ]
        start += n
    return splits


def all_texts() -> set[str]:
    """Every dialogue in the data set, so other generators can stay disjoint from it."""
    return {row["dialogue"] for rows in generate().values() for row in rows}
