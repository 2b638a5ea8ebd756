"""greedy_summarise returns model.generate's own greedy tokens: every output is right, but the
decoder loop is not written by hand, which q3 forbids (forbid: [generate]; only the grader's
reading of the code catches it).

loses: q3
"""
import torch


def greedy_summarise(model, tokenizer, prompt, max_new_tokens):
    input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        out = model.generate(input_ids, do_sample=False, max_new_tokens=max_new_tokens)
    return out[0, 1:].tolist()
