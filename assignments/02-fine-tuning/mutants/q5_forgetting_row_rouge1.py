"""forgetting_row reports ROUGE-1 under the name rougeL.

loses: q5
"""


def forgetting_row(model, tokenizer, topic_rows, summary_rows):
    preds = summarize(model, tokenizer, [r["dialogue"] for r in summary_rows])
    return {"topic_accuracy": lessons.topic_accuracy(model, tokenizer, topic_rows),
            "rougeL": rouge(preds, [r["summary"] for r in summary_rows])["rouge1"]}
