"""sample_summarise seeds torch and returns model.generate(do_sample=True)'s tokens: every output is
right, but the sampling loop is not written by hand, which q4 forbids (forbid: [generate]; only the
grader's reading of the code catches it).

loses: q4
"""
import torch


def sample_summarise(model, tokenizer, prompt, max_new_tokens, temperature=1.0, top_k=None, top_p=None, seed=0):
    torch.manual_seed(seed)
    input_ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        out = model.generate(input_ids, do_sample=True, temperature=temperature, top_k=top_k or 0,
                             top_p=top_p or 1.0, max_new_tokens=max_new_tokens)
    return out[0, 1:].tolist()
