"""preference_dataset swaps chosen and rejected: the reward model and DPO learn to prefer rude replies.

loses: q1, q4
"""
from datasets import Dataset


def preference_dataset(rows):
    return Dataset.from_dict({"prompt": [r["prompt"] for r in rows],
                              "chosen": [r["rejected"] for r in rows],
                              "rejected": [r["chosen"] for r in rows]})
