"""training_args uses a learning rate 100 times the stated one (0.1): the fine-tune diverges.

loses: q2, q5
"""


def training_args(output_dir):
    return Seq2SeqTrainingArguments(
        output_dir=output_dir, max_steps=TRAIN_STEPS, per_device_train_batch_size=BATCH_SIZE,
        learning_rate=100 * LEARNING_RATE, lr_scheduler_type="constant_with_warmup", warmup_steps=WARMUP_STEPS,
        logging_steps=LOGGING_STEPS, seed=SEED, use_cpu=True, bf16=False, report_to=[], save_strategy="no",
        disable_tqdm=True, dataloader_num_workers=0)
