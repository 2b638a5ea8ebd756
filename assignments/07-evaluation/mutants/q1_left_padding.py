"""causal_perplexity lets tiny-gpt's tokenizer pad the batch (on the left, its default) and passes
no position ids: a short text's tokens sit at shifted positions, so the perplexity changes with
the batch size.

loses: q1
"""


def causal_perplexity(model, tokenizer, texts, batch_size=8):
    total_nll, total_tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            enc = tokenizer(list(texts[start:start + batch_size]), padding=True, return_tensors="pt")
            logits = model(**enc).logits[:, :-1]
            labels = enc["input_ids"][:, 1:].masked_fill(enc["attention_mask"][:, 1:] == 0, -100)
            total_nll += F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1),
                                         ignore_index=-100, reduction="sum").item()
            total_tokens += int((labels != -100).sum())
    return math.exp(total_nll / total_tokens)
