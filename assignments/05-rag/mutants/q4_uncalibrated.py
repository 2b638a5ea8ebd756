"""grounded_answer ranks spans by their mean log-probability given the prompt alone, without
discounting what the context suggests whatever the question (the rule before calibration).

loses: q4
"""


def grounded_answer(prompt, texts):
    spans = context_spans(texts)
    sums, lengths = target_logprobs(flan, flan_tok, prompt, spans)
    return spans[int(torch.argmax(sums / lengths))]
