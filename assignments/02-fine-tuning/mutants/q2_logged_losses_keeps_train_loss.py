"""logged_losses matches every key ending in "loss": the evaluation loss and the run's mean
(train_loss) join the curve.

loses: q2
"""


def logged_losses(log_history):
    return [float(v) for h in log_history for k, v in h.items() if k.endswith("loss")]
