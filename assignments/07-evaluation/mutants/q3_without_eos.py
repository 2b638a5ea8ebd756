"""option_logprobs leaves out each option's </s>: the model is never asked where the answer ends,
so an option that is the start of a longer one scores as well as it.

loses: q3
"""


def option_logprobs(prompt, options):
    enc = flan_tok(prompt, return_tensors="pt")
    labels, mask = pad_right([flan_tok(o, add_special_tokens=False)["input_ids"] or [flan_tok.eos_token_id] for o in options],
                              flan_tok.pad_token_id)
    n = len(options)
    with torch.no_grad():
        logits = flan(input_ids=enc["input_ids"].expand(n, -1), attention_mask=enc["attention_mask"].expand(n, -1),
                      labels=labels.masked_fill(mask == 0, -100)).logits.float()
    token_lp = torch.log_softmax(logits, dim=-1).gather(-1, labels[..., None])[..., 0] * mask
    return token_lp.sum(-1).tolist(), mask.sum(-1).float().tolist()
