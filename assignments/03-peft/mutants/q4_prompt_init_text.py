"""Prompt tuning initialised from another instruction than the one asked for ("Summarize the dialogue.").

loses: q4
"""
from peft import PromptTuningConfig

from course_lib.models import zoo

PT_CONFIG = PromptTuningConfig(task_type="SEQ_2_SEQ_LM", num_virtual_tokens=20, prompt_tuning_init="TEXT",
                               prompt_tuning_init_text="Summarize the dialogue.",
                               tokenizer_name_or_path=str(zoo.path("tiny-flan")))
