"""choose_examples does not skip the dialogue to summarise: a pool that holds it leaks the answer into the prompt.

loses: q2
"""


def choose_examples(pool, dialogue, k, max_tokens=CONTEXT_WINDOW):
    chosen = []
    for row in pool:
        if len(chosen) == k:
            break
        if count_tokens(few_shot_prompt(chosen + [row], dialogue, len(chosen) + 1)) <= max_tokens:
            chosen.append(row)
    return chosen
