"""The reward model folder holds tiny-gpt with a fresh, untrained score head (saved before training,
or from GPT_DIR): the trained model stays in memory only.

loses: q1
"""

from transformers import AutoModelForSequenceClassification

AutoModelForSequenceClassification.from_pretrained(GPT_DIR, num_labels=1).save_pretrained("reward_model")
reward_trainer = reward_trainer
