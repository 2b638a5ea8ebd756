"""judge_prefers_x ignores both_orders: the "debiased" judge is the one-order judge, so its
verdict flips when the summaries are swapped.

loses: q5
"""


def judge_prefers_x(dialogue, x, y, both_orders):
    return bool(judge_margin(dialogue, x, y) >= 0)
