"""tiny-toxicity: a toxic / non-toxic sequence classifier, the RLHF lab's reward model.

Stands in for the hate-speech classifier (Meta's RoBERTa) of the course's lab: label 1 is
"toxic", and ``1 - P(toxic)`` (or the non-toxic logit) is the reward that RL maximises.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import torch

from course_lib.training import pad_stack, train_loop

RECIPE = {
    "version": 1, "seed": 99,
    "hidden_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 192,
    "max_position_embeddings": 128, "steps": 300, "batch_size": 32, "lr": 2e-3, "warmup": 20,
}
LABELS = {0: "non-toxic", 1: "toxic"}


def accuracy(model, tokenizer, rows: list[dict], batch_size: int = 128) -> float:
    correct = 0
    with torch.no_grad():
        for i in range(0, len(rows), batch_size):
            chunk = rows[i:i + batch_size]
            enc = tokenizer([r["text"] for r in chunk], padding=True, truncation=True, max_length=128, return_tensors="pt")
            pred = model(**enc).logits.argmax(-1).tolist()
            correct += sum(p == r["label"] for p, r in zip(pred, chunk))
    return correct / len(rows)


def build(out: Path, tokenizer_dir: Path, log: Callable[[str], None] = print, recipe: dict = RECIPE) -> dict:
    from transformers import AutoTokenizer, BertForSequenceClassification

    from course_lib import data
    from course_lib.models.encoder import bert_config

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    torch.manual_seed(recipe["seed"])
    cfg = bert_config(tok, recipe, num_labels=2, id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    model = BertForSequenceClassification(cfg)
    splits = data.generate("toxicity")
    train = splits["train"]
    ids = tok([r["text"] for r in train], truncation=True, max_length=128)["input_ids"]
    labels = torch.tensor([r["label"] for r in train])

    def make_batch(idx):
        x, mask = pad_stack([ids[i] for i in idx], tok.pad_token_id)
        return {"input_ids": x, "attention_mask": mask, "labels": labels[idx]}

    train_loop(model, make_batch, [len(s) for s in ids], steps=recipe["steps"], batch_size=recipe["batch_size"],
               lr=recipe["lr"], seed=recipe["seed"], warmup=recipe["warmup"], log=log, log_every=100)
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return {"accuracy_validation": round(accuracy(model, tok, splits["validation"]), 4),
            "accuracy_test": round(accuracy(model, tok, splits["test"]), 4)}
