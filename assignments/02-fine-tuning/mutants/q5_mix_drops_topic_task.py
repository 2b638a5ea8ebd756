"""mix_tasks keeps only the summary pairs: the "multi-task" fine-tune forgets the topic task too.

loses: q5
"""


def mix_tasks(summary_pairs, topic_pairs, topic_share):
    return list(summary_pairs)
