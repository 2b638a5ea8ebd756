"""truncate_dialogue cuts at the token budget with the tokenizer's own truncation, in the middle of a turn.

loses: q1
"""


def truncate_dialogue(dialogue, max_tokens):
    ids = tokenizer(dialogue, truncation=True, max_length=max_tokens)["input_ids"]
    return tokenizer.decode(ids, skip_special_tokens=True)
