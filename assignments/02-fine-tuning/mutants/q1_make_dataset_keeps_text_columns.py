"""make_dataset keeps the text columns next to the model's: the Trainer's collator cannot stack
strings (here it drops them, so training is unaffected; the dataset is still not what q1 asks).

loses: q1
"""


def make_dataset(rows):
    pairs = datasets.Dataset.from_list(list(rows)).map(to_instruction, batched=True)
    return pairs.map(tokenize, batched=True)
