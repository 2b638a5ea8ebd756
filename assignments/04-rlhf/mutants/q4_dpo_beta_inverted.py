"""dpo_loss divides by beta instead of multiplying: the KL coefficient is inverted.

loses: q4
"""
import torch.nn.functional as F


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta):
    chosen_logratios = policy_chosen_logps - ref_chosen_logps
    rejected_logratios = policy_rejected_logps - ref_rejected_logps
    return -F.logsigmoid((chosen_logratios - rejected_logratios) / beta).mean()
