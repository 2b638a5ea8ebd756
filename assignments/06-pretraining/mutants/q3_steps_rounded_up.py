"""steps_for_budget rounds up, to spend the whole budget: every run but an exact one goes over it.

loses: q3
"""


def steps_for_budget(compute, n_params, batch, context):
    return max(1, math.ceil(compute / (6 * n_params * batch * context)))
