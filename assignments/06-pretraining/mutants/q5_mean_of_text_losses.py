"""perplexity takes exp of the mean of each text's mean loss: every text weighs the same, whatever its length.

loses: q5
"""


def perplexity(model, tokenizer, texts):
    means = []
    for text in texts:
        losses = pretraining.token_losses(model, tokenizer.encode(text))
        means.append(sum(losses) / len(losses))
    return math.exp(sum(means) / len(means))
