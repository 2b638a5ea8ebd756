"""summarise_batched batches the dialogues in the order given, unsorted: the same summaries, but the
padding the question is about is not saved (positions counts it).

loses: q3
"""


def summarise_batched(model, tokenizer, dialogues, batch_size):
    lengths = [len(tokenizer(p)["input_ids"]) for p in efficiency.prompts(dialogues)]
    summaries = efficiency.summarise(model, tokenizer, dialogues, batch_size=batch_size)
    positions = sum(len(lengths[s:s + batch_size]) * max(lengths[s:s + batch_size]) for s in range(0, len(lengths), batch_size))
    return summaries, positions
