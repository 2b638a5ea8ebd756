"""Helpers for the PEFT lab (``assignments/03-peft``), shared by the solution and its tests.

The lab compares full fine-tuning, LoRA and prompt tuning of tiny-flan on ``dialogsum``
with the same yardstick everywhere: :func:`evaluate` (ROUGE-L of greedy zero-shot-prompt
summaries of the first ``EVAL_N`` test dialogues, and topic accuracy on the first
``EVAL_N`` ``dialog_topics`` test rows, the forgetting probe). Hidden tests call the same
functions in the grading process on the folders a notebook saved.
"""

from __future__ import annotations

import functools
from pathlib import Path

# The grading process runs several submissions' tests in threads, and loading is not
# thread-safe: every load here holds the zoo's lock (see course_lib.models.zoo), re-exported
# for the lab's hidden tests.
from course_lib.models.zoo import LOAD_LOCK

EVAL_N = 50
MODEL = "tiny-flan"


@functools.lru_cache(maxsize=None)
def _splits(name: str) -> dict:
    from course_lib import data

    return data.generate(name)


def train_rows() -> list[dict]:
    """dialogsum's training split (2,400 dialogues with reference summaries)."""
    return _splits("dialogsum")["train"]


def eval_rows() -> list[dict]:
    """The first ``EVAL_N`` dialogsum test dialogues: the summarisation yardstick."""
    return _splits("dialogsum")["test"][:EVAL_N]


def topic_rows() -> list[dict]:
    """The first ``EVAL_N`` dialog_topics test rows: the second task, the forgetting probe."""
    return _splits("dialog_topics")["test"][:EVAL_N]


def evaluate(model, tokenizer) -> dict:
    """``{"rouge_l": ..., "topic_accuracy": ...}`` of ``model``, rounded to 4 decimals.

    ROUGE-L: greedy summaries of :func:`eval_rows` with the zero-shot instruction, as
    ``course_lib.lessons.summary_rouge_l``; topic accuracy: ``lessons.topic_accuracy``.
    """
    from course_lib import lessons

    rouge, _ = lessons.summary_rouge_l(model, tokenizer, eval_rows())
    topic = lessons.topic_accuracy(model, tokenizer, topic_rows())
    return {"rouge_l": round(float(rouge), 4), "topic_accuracy": round(float(topic), 4)}


def folder_mb(folder) -> float:
    """Size on disk of every file under ``folder`` (or of one file), in MB (10**6 bytes)."""
    path = Path(folder)
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return round(sum(f.stat().st_size for f in files) / 1e6, 4)


def linear_shapes(model) -> dict[str, tuple[int, int]]:
    """``{module name: (in_features, out_features)}`` for every ``nn.Linear`` in ``model``."""
    import torch

    return {name: (m.in_features, m.out_features) for name, m in model.named_modules()
            if isinstance(m, torch.nn.Linear)}


def load_base():
    """A fresh tiny-flan (model, tokenizer) from the zoo, in eval mode."""
    from course_lib.models import zoo

    model, tokenizer = zoo.load(MODEL)      # zoo.load holds LOAD_LOCK
    return model.eval(), tokenizer


def load_adapter(folder):
    """A saved peft adapter (LoRA, prompt tuning ...) on a fresh tiny-flan: (PeftModel, tokenizer).

    Safetensors only: peft falls back to ``torch.load`` for an ``adapter_model.bin``, and a
    student's pickle has no business in the grading process.
    """
    if not (Path(folder) / "adapter_model.safetensors").is_file():
        raise FileNotFoundError(f"{folder}: no adapter_model.safetensors (save with save_pretrained, "
                                "which writes safetensors by default)")
    with LOAD_LOCK:
        from peft import PeftModel

        base, tokenizer = load_base()
        return PeftModel.from_pretrained(base, str(folder)).eval(), tokenizer


def load_full(folder):
    """A fully fine-tuned tiny-flan saved with ``save_pretrained``: (model, tokenizer), loaded
    as 02's saved models are (``course_lib.saved_models``: safetensors only, a T5, whole)."""
    from course_lib.saved_models import load_saved

    return load_saved(folder, "T5ForConditionalGeneration", MODEL)


def peft_trainable(r: int, target_modules: list[str], lora_alpha: int = 16) -> tuple[int, int]:
    """peft's own ``get_nb_trainable_parameters()`` for LoRA on a fresh tiny-flan: (trainable, all)."""
    with LOAD_LOCK:
        from peft import LoraConfig, get_peft_model

        base, _ = load_base()
        model = get_peft_model(base, LoraConfig(r=r, lora_alpha=lora_alpha, target_modules=list(target_modules)))
        return model.get_nb_trainable_parameters()
