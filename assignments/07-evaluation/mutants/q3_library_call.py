"""option_logprobs calls course_lib.generation.target_logprobs, which the question forbids: the
numbers are right, the work is not the student's.

loses: q3
"""


def option_logprobs(prompt, options):
    from course_lib.generation import target_logprobs
    sums, counts = target_logprobs(flan, flan_tok, prompt, options)
    return sums.tolist(), counts.tolist()
