"""training_args leaves save_strategy and disable_tqdm at their defaults: a checkpoint every 500
steps (none in 40, so the run is the same) and progress bars. The table sets both.

loses: q2
"""


def training_args(output_dir):
    return Seq2SeqTrainingArguments(
        output_dir=output_dir, max_steps=TRAIN_STEPS, per_device_train_batch_size=BATCH_SIZE,
        learning_rate=LEARNING_RATE, lr_scheduler_type="constant_with_warmup", warmup_steps=WARMUP_STEPS,
        logging_steps=LOGGING_STEPS, seed=SEED, use_cpu=True, bf16=False, report_to=[], dataloader_num_workers=0)
