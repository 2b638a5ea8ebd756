"""choose_examples stops at the first example that does not fit instead of trying the next ones.

loses: q2
"""


def choose_examples(pool, dialogue, k, max_tokens=CONTEXT_WINDOW):
    chosen = []
    for row in pool:
        if len(chosen) == k:
            break
        if row["dialogue"] == dialogue:
            continue
        if count_tokens(few_shot_prompt(chosen + [row], dialogue, len(chosen) + 1)) > max_tokens:
            break
        chosen.append(row)
    return chosen
