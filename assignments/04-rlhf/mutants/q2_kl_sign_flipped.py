"""kl_penalty has its sign flipped: it rewards the policy for moving away from the reference.

loses: q2
"""


def kl_penalty(logprobs, ref_logprobs, beta):
    return beta * (logprobs - ref_logprobs)
