"""The cached loop feeds the last chosen token to the model once more before it stops: the tokens
are right, but one position too many is counted (a pass whose logits nobody reads).

loses: q1
"""


def greedy_with_cache(model, prompt_ids, max_new_tokens, eos_id):
    step_ids, cache, new, processed = list(prompt_ids), None, [], 0
    with torch.no_grad():
        out = model(input_ids=torch.tensor([step_ids]), use_cache=True)
        processed += len(step_ids)
        while len(new) < max_new_tokens:
            token = int(out.logits[0, -1].argmax())
            new.append(token)
            out = model(input_ids=torch.tensor([[token]]), cache=out.cache, use_cache=True)
            processed += 1
            if token == eos_id:
                break
    return new, processed
