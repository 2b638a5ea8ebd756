"""tokenize keeps the pad id in the labels instead of -100: the model is also trained to predict padding.

The models of q2 and q5 are trained with the same tokenize, and their summaries fall near the
reference's tolerances: whether q2 or q5 is lost too depends on the model's weights (the
tiny-flan of one machine lost q5, another's did not), so it is a cascade the mutant may cause,
not one it must.

loses: q1
may lose: q2, q5
"""


def tokenize(batch):
    enc = tokenizer(batch["source"], max_length=MAX_SOURCE_TOKENS, truncation=True, padding="max_length")
    targets = tokenizer(batch["target"], max_length=MAX_TARGET_TOKENS, truncation=True, padding="max_length")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": targets["input_ids"]}

