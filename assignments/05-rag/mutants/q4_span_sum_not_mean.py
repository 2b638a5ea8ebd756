"""grounded_answer ranks spans by their summed log-probability: every token costs, so the shortest spans win.

loses: q4
"""


def grounded_answer(prompt, texts):
    spans = context_spans(texts)
    sums, _ = target_logprobs(flan, flan_tok, prompt, spans)
    return spans[int(torch.argmax(sums))]
