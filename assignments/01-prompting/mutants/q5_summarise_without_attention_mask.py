"""summarise pads each batch but does not pass the attention mask: the encoder attends to the padding.

loses: q5
"""
import torch


def summarise(model, tokenizer, prompts, max_new_tokens=MAX_NEW_TOKENS, batch_size=8):
    summaries = []
    for start in range(0, len(prompts), batch_size):
        batch = tokenizer(prompts[start:start + batch_size], padding=True, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(input_ids=batch["input_ids"], do_sample=False, max_new_tokens=max_new_tokens)
        summaries += [text.strip() for text in tokenizer.batch_decode(out, skip_special_tokens=True)]
    return summaries
