"""causal_perplexity hands the work to course_lib.metrics.perplexity, which the question forbids:
the number is right, the work is not the student's.

loses: q1
"""


def causal_perplexity(model, tokenizer, texts, batch_size=8):
    return metrics.perplexity(model, tokenizer, list(texts), batch_size=batch_size)
