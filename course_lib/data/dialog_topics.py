"""``dialog_topics``: the second instruction task, topic classification of a dialogue.

Used to measure catastrophic forgetting: tiny-flan learns it in pre-training, and a
fine-tune on summarisation alone erodes it. Dialogues are disjoint from ``dialogsum``.
"""

from __future__ import annotations

from course_lib.data.dialogues import all_texts, unique_dialogues

VERSION = 1
SEED = 20240502
SPLITS = {"train": 1000, "validation": 200, "test": 200}


def generate() -> dict[str, list[dict]]:
    items = unique_dialogues(SEED, sum(SPLITS.values()), exclude=all_texts())
    splits, start = {}, 0
    for split, n in SPLITS.items():
        splits[split] = [
            {"id": f"topic_{split}_{i:04d}", "dialogue": d.text(), "topic": d.topic}
            for i, (_, _, d) in enumerate(items[start:start + n])
        ]
        start += n
    return splits
