"""distillation_targets returns the human references: the "distilled" student learns the references,
not the teacher, and its summaries drift away from the teacher's.

loses: q5
"""


def distillation_targets(teacher, tokenizer, dialogues):
    by_dialogue = {r["dialogue"]: r["summary"] for r in dialogsum["train"]}
    return [by_dialogue[d] for d in dialogues]
