"""LoRA on the key and output projections (k, o) instead of the query and value ones (q, v).

loses: q3
"""
from peft import LoraConfig

LORA_CONFIG = LoraConfig(task_type="SEQ_2_SEQ_LM", r=8, lora_alpha=16, target_modules=["k", "o"], lora_dropout=0.0)
