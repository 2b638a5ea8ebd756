"""score_summaries reports BLEU under "rougeL" and ROUGE-L under "bleu".

loses: q3
"""


def score_summaries(predictions, references):
    r = rouge(predictions, references)
    return {"rouge1": r["rouge1"], "rouge2": r["rouge2"], "rougeL": bleu(predictions, references)["bleu"],
            "bleu": r["rougeL"]}


scores = {"base": score_summaries(base_predictions, eval_set["summary"]),
          "fine-tuned": score_summaries(ft_predictions, eval_set["summary"])}
