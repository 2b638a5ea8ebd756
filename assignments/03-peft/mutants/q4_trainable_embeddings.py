"""Prompt tuning that also trains tiny-flan's token embeddings (the model is no longer frozen).

loses: q4
"""
from peft import get_peft_model


def make_prompt_model(base):
    model = get_peft_model(base, PT_CONFIG)
    model.get_base_model().shared.weight.requires_grad_(True)
    return model
