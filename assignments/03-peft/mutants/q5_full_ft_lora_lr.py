"""The full fine-tuning baseline reuses LoRA's learning rate (3e-3) instead of the reference's FT_LR.

loses: q5
"""
from course_lib import lessons


def full_finetune(model):
    lessons.finetune_summarizer(model, tokenizer, TRAIN_ROWS, steps=STEPS, lr=lessons.LORA_LR)
    return model
