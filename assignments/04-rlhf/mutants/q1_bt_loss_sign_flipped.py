"""bradley_terry_loss has the sign of the reward difference flipped: it prefers the rejected reply.

loses: q1
"""
import torch.nn.functional as F


def bradley_terry_loss(chosen_rewards, rejected_rewards):
    return -F.logsigmoid(rejected_rewards - chosen_rewards).mean()
