"""greedy_with_cache passes the cache but feeds the whole sequence again at every step: the cached
positions are appended twice, the tokens go wrong and the work is quadratic after all.

loses: q1
"""


def greedy_with_cache(model, prompt_ids, max_new_tokens, eos_id):
    ids, cache, new, processed = list(prompt_ids), None, [], 0
    with torch.no_grad():
        while len(new) < max_new_tokens:
            out = model(input_ids=torch.tensor([ids]), cache=cache, use_cache=True)
            processed += len(ids)
            cache = out.cache
            token = int(out.logits[0, -1].argmax())
            new.append(token)
            ids.append(token)
            if token == eos_id:
                break
    return new, processed
