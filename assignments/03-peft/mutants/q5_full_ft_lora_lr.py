"""The full fine-tuning baseline reuses LoRA's learning rate (lessons.LORA_LR) instead of the lab's FT_LR.

loses: q5
"""
from course_lib import lessons


def full_finetune(model):
    lessons.finetune_summarizer(model, tokenizer, TRAIN_ROWS, steps=STEPS, lr=lessons.LORA_LR)
    return model
