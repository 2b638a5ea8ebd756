"""logged_losses filters with `if h.get("loss")`: a logged loss of exactly 0.0 is falsy and disappears.

loses: q2
"""


def logged_losses(log_history):
    return [float(h["loss"]) for h in log_history if h.get("loss")]
