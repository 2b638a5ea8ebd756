"""summarise_batched returns the summaries in length-sorted order, not in the order of the dialogues.

loses: q3
"""


def summarise_batched(model, tokenizer, dialogues, batch_size):
    lengths = [len(tokenizer(p)["input_ids"]) for p in efficiency.prompts(dialogues)]
    summaries, positions = [], 0
    for batch in length_sorted_batches(lengths, batch_size):
        summaries += efficiency.summarise(model, tokenizer, [dialogues[i] for i in batch], batch_size=len(batch))
        positions += len(batch) * max(lengths[i] for i in batch)
    return summaries, positions
