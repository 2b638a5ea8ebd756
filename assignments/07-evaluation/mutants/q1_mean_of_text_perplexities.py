"""causal_perplexity averages each text's own perplexity instead of pooling every token: short
texts weigh as much as long ones, and the number moves with how long the texts are.

loses: q1
"""


def causal_perplexity(model, tokenizer, texts, batch_size=8):
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    per_text = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            ids, mask = pad_right([tokenizer(t)["input_ids"] for t in texts[start:start + batch_size]], pad_id)
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
            labels = ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
            nll = F.cross_entropy(logits.transpose(1, 2).float(), labels, ignore_index=-100, reduction="none").sum(1)
            per_text += torch.exp(nll / (labels != -100).sum(1)).tolist()
    return sum(per_text) / len(per_text)
