"""evaluate_model summarises with the global base_model whatever model it is given: the
"fine-tuned" scores are the base model's.

loses: q3
"""


def evaluate_model(model, tokenizer, dialogues, summaries):
    predictions = summarize(base_model, tokenizer, list(dialogues))
    return predictions, score_summaries(predictions, list(summaries))
