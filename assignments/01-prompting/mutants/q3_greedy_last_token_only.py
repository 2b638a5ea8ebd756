"""greedy_summarise feeds the decoder only its last token at each step, not everything it wrote so far.

loses: q3
"""
import torch


def greedy_summarise(model, tokenizer, prompt, max_new_tokens):
    hidden = encode_prompt(model, tokenizer, prompt)
    decoder_ids = [model.config.decoder_start_token_id]
    for _ in range(max_new_tokens):
        token = int(torch.argmax(next_token_logits(model, hidden, decoder_ids[-1:])))
        decoder_ids.append(token)
        if token == tokenizer.eos_token_id:
            break
    return decoder_ids[1:]
