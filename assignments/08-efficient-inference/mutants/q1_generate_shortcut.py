"""greedy_with_cache hands the decoding to model.generate, which the question forbids, and reports
the count the formula predicts: every number right, none of the work done.

loses: q1
"""


def greedy_with_cache(model, prompt_ids, max_new_tokens, eos_id):
    ids = torch.tensor([list(prompt_ids)])
    out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens,
                         do_sample=False, eos_token_id=eos_id, pad_token_id=0)
    new = out[0, ids.shape[1]:].tolist()
    return new, len(prompt_ids) + len(new) - 1
