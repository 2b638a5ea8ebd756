"""greedy_generate never stops at the end-of-sequence token: it always makes max_new_tokens tokens.

loses: q2
"""
import torch


def greedy_generate(model, tokenizer, prompt, max_new_tokens):
    ids = tokenizer.encode(prompt)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(torch.tensor([ids + new_tokens])).logits[0, -1]
            new_tokens.append(greedy_next_token(logits))
    return new_tokens
