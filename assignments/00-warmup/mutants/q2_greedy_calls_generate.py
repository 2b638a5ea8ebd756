"""greedy_generate returns model.generate's own greedy tokens: every output is right, but the loop is
not written by hand, which q2 forbids (forbid: [generate]; only the grader's reading of the code
catches it).

loses: q2
"""
import torch


def greedy_generate(model, tokenizer, prompt, max_new_tokens):
    input_ids = torch.tensor([tokenizer.encode(prompt)])
    with torch.no_grad():
        out = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), do_sample=False,
                             max_new_tokens=max_new_tokens)
    return out[0, input_ids.shape[1]:].tolist()
