"""perplexity averages each text's perplexity: a two-token text counts as much as a long passage.

loses: q5
"""


def perplexity(model, tokenizer, texts):
    values = []
    for text in texts:
        losses = pretraining.token_losses(model, tokenizer.encode(text))
        values.append(math.exp(sum(losses) / len(losses)))
    return sum(values) / len(values)
