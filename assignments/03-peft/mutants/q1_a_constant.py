"""LoRALinear fills A with a constant instead of drawing it at random (every rank-one direction the same).

loses: q1
"""
import torch


class LoRALinear(torch.nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.scaling = alpha / r
        self.lora_A = torch.nn.Parameter(torch.full((r, base.in_features), 0.1))
        self.lora_B = torch.nn.Parameter(torch.zeros(base.out_features, r))

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling

    def merge(self):
        merged = torch.nn.Linear(self.base.in_features, self.base.out_features)
        with torch.no_grad():
            merged.weight.copy_(self.base.weight + self.scaling * (self.lora_B @ self.lora_A))
            merged.bias.copy_(self.base.bias)
        return merged
