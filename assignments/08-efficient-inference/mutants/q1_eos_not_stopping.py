"""Both decoders ignore eos_id and always produce max_new_tokens tokens (generate stops right after
the end-of-sequence token).

loses: q1
"""


def greedy_no_cache(model, prompt_ids, max_new_tokens, eos_id):
    ids, new, processed = list(prompt_ids), [], 0
    with torch.no_grad():
        while len(new) < max_new_tokens:
            logits = model(input_ids=torch.tensor([ids])).logits
            processed += len(ids)
            token = int(logits[0, -1].argmax())
            new.append(token)
            ids.append(token)
    return new, processed


def greedy_with_cache(model, prompt_ids, max_new_tokens, eos_id):
    step_ids, cache, new, processed = list(prompt_ids), None, [], 0
    with torch.no_grad():
        while len(new) < max_new_tokens:
            out = model(input_ids=torch.tensor([step_ids]), cache=cache, use_cache=True)
            processed += len(step_ids)
            cache = out.cache
            token = int(out.logits[0, -1].argmax())
            new.append(token)
            step_ids = [token]
    return new, processed
