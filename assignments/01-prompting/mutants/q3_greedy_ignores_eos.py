"""greedy_summarise never stops at </s>: it always writes max_new_tokens tokens.

loses: q3
"""
import torch


def greedy_summarise(model, tokenizer, prompt, max_new_tokens):
    hidden = encode_prompt(model, tokenizer, prompt)
    decoder_ids = [model.config.decoder_start_token_id]
    for _ in range(max_new_tokens):
        decoder_ids.append(int(torch.argmax(next_token_logits(model, hidden, decoder_ids))))
    return decoder_ids[1:]
