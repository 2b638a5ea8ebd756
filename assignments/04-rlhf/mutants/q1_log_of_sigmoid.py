"""bradley_terry_loss takes log(sigmoid(.)) instead of logsigmoid: fine for small differences,
-inf (an infinite loss) once sigmoid underflows to 0 in float32 (a difference below about -104).

loses: q1
"""


def bradley_terry_loss(chosen_rewards, rejected_rewards):
    return -torch.log(torch.sigmoid(chosen_rewards - rejected_rewards)).mean()
