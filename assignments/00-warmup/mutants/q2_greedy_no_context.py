"""greedy_generate feeds the model only the last token at each step, not the whole sequence.

loses: q2
"""
import torch


def greedy_generate(model, tokenizer, prompt, max_new_tokens):
    ids = tokenizer.encode(prompt)
    new_tokens = []
    with torch.no_grad():
        for _ in range(max_new_tokens):
            last = new_tokens[-1] if new_tokens else ids[-1]
            logits = model(torch.tensor([[last]])).logits[0, -1]
            token = greedy_next_token(logits)
            new_tokens.append(token)
            if token == tokenizer.eos_token_id:
                break
    return new_tokens
