"""seq2seq_perplexity passes the padded targets as labels without -100 on the padding: the pad
tokens of short targets are scored as if the model had to predict them.

loses: q1
"""


def seq2seq_perplexity(model, tokenizer, sources, targets, batch_size=8):
    pad_id = tokenizer.pad_token_id
    total_nll, total_tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(targets), batch_size):
            x, x_mask = pad_right([tokenizer(s)["input_ids"] for s in sources[start:start + batch_size]], pad_id)
            y, _ = pad_right([tokenizer(t)["input_ids"] for t in targets[start:start + batch_size]], pad_id)
            logits = model(input_ids=x, attention_mask=x_mask, labels=y).logits
            total_nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), y.reshape(-1), reduction="sum").item()
            total_tokens += y.numel()
    return math.exp(total_nll / total_tokens)
