"""steps_for_budget rounds to the nearest step, so a run may spend more than its budget.

loses: q3
"""


def steps_for_budget(compute, n_params, batch, context):
    return max(1, round(compute / (6 * n_params * batch * context)))
