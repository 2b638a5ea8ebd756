"""The evaluation uses the first rows of the training split, which the model was fine-tuned on.

loses: q3
"""

eval_set = dialogsum["train"].select(range(EVAL_ROWS))
base_predictions = summarize(base_model, tokenizer, eval_set["dialogue"])
ft_predictions = summarize(ft_model, tokenizer, eval_set["dialogue"])
scores = {"base": score_summaries(base_predictions, eval_set["summary"]),
          "fine-tuned": score_summaries(ft_predictions, eval_set["summary"])}
eval_set = dialogsum["test"].select(range(EVAL_ROWS))   # later questions are not affected
