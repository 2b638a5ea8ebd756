"""mix_tasks counts the topic pairs with int() instead of round(): 3.6 becomes 3, not 4.
(0.25 x 320 = 80 exactly, so the lab's own mix, and its models, are unchanged.)

loses: q5
"""


def mix_tasks(summary_pairs, topic_pairs, topic_share):
    n_topic = int(topic_share * len(summary_pairs))
    return list(summary_pairs[:len(summary_pairs) - n_topic]) + list(topic_pairs[:n_topic])
