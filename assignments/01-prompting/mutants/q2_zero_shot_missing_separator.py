"""zero_shot_prompt leaves out the blank line between the instruction and the dialogue.

loses: q2
"""


def zero_shot_prompt(dialogue):
    return f"Summarize the following conversation.\n{dialogue}\nSummary:"
