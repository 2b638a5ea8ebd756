"""dpo_loss takes log(sigmoid(.)) instead of logsigmoid: an infinite loss on a pair the policy ranks
far the wrong way.

loses: q4
"""


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta):
    margin = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    return -torch.log(torch.sigmoid(beta * margin)).mean()
