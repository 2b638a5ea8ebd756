"""gae swaps gamma and lambda: the TD error bootstraps with lambda instead of gamma.

loses: q2
"""
import torch


def gae(rewards, values, gamma, lam):
    gamma, lam = lam, gamma
    T = rewards.shape[1]
    advantages = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[:, 0])
    for t in reversed(range(T)):
        next_value = values[:, t + 1] if t + 1 < T else torch.zeros_like(values[:, 0])
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        running = delta + gamma * lam * running
        advantages[:, t] = running
    return advantages, advantages + values
