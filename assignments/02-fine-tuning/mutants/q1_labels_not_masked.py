"""tokenize keeps the pad id in the labels instead of -100: the model is also trained to predict padding.

Also loses q5: the multi-task model is trained with the same tokenize, and its summaries fall
below the reference's tolerance.

loses: q1, q2, q5
"""


def tokenize(batch):
    enc = tokenizer(batch["source"], max_length=MAX_SOURCE_TOKENS, truncation=True, padding="max_length")
    targets = tokenizer(batch["target"], max_length=MAX_TARGET_TOKENS, truncation=True, padding="max_length")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": targets["input_ids"]}

