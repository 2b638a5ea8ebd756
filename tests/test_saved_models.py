"""Hidden tests load what a student saved: safely, as the lab's class, or with a clear reason."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from course_lib import finetuning, rlhf, saved_models
from course_lib.models import zoo


class _Touch:
    """Unpickling this creates a file: proof that a pickle was (or was not) read."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def saved_policy(tmp_path) -> Path:
    folder = tmp_path / "rl_policy"
    shutil.copytree(zoo.path("tiny-gpt"), folder)
    return folder


def test_a_saved_policy_loads_as_the_labs_class_with_the_zoos_tokenizer(saved_policy):
    (saved_policy / "tokenizer.json").write_text("{not json")     # a submission's tokenizer is never read
    model, tok = rlhf.load_saved(saved_policy)
    assert type(model).__name__ == "GPT2LMHeadModel" and not model.training
    assert model.config.pad_token_id == tok.pad_token_id is not None


def test_a_saved_reward_model_loads_as_a_sequence_classifier(tmp_path):
    from transformers import GPT2ForSequenceClassification

    GPT2ForSequenceClassification.from_pretrained(str(zoo.path("tiny-gpt")), num_labels=1).save_pretrained(
        str(tmp_path / "reward_model"))
    rm, tok = rlhf.load_saved(tmp_path / "reward_model", "reward_model")
    assert type(rm).__name__ == "GPT2ForSequenceClassification" and rm.config.pad_token_id == tok.pad_token_id
    scores = rlhf.reward_scores(rm, tok, ["Hi.", "Hello there."], [" Thanks!", " Go away."])
    assert scores.shape == (2,)


def test_a_pickle_beside_the_weights_is_never_read(saved_policy, tmp_path):
    marker = tmp_path / "unpickled"
    (saved_policy / "pytorch_model.bin").write_bytes(pickle.dumps(_Touch(marker)))
    rlhf.load_saved(saved_policy)
    assert not marker.exists()


@pytest.mark.parametrize("damage, message", [
    ("missing", "rl_policy/ was not saved"),
    ("bin_only", "rl_policy/ has no model.safetensors"),
    ("too_big", r"rl_policy/ holds \d+ MB"),
    ("no_config", "rl_policy/config.json is missing"),
    ("half_saved", "rl_policy/ lacks 1 weights of a GPT2LMHeadModel"),
])
def test_a_bad_folder_fails_with_a_reason_naming_it(saved_policy, damage, message):
    if damage == "missing":
        shutil.rmtree(saved_policy)
    elif damage == "bin_only":
        (saved_policy / "model.safetensors").rename(saved_policy / "pytorch_model.bin")
    elif damage == "too_big":
        with open(saved_policy / "padding.bin", "wb") as f:
            f.truncate(64 * 2**20)
    elif damage == "no_config":
        (saved_policy / "config.json").unlink()
    else:
        _drop_weight(saved_policy / "model.safetensors", "transformer.ln_f.weight")
    with pytest.raises(AssertionError, match=message):
        rlhf.load_saved(saved_policy)


def _drop_weight(file: Path, name: str) -> None:
    from safetensors.torch import load_file, save_file

    weights = load_file(str(file))
    del weights[name]
    save_file(weights, str(file), metadata={"format": "pt"})


def test_the_lab_fixes_the_class_whatever_config_json_says(saved_policy):
    # a GPT-2 handed to 02's loader is refused, not loaded as a randomly initialised T5
    with pytest.raises(AssertionError, match="rl_policy/ holds a 'gpt2' model; this question needs a T5ForConditionalGeneration"):
        finetuning.load_saved(saved_policy)
    with pytest.raises(ValueError, match="kind must be one of"):
        rlhf.load_saved(saved_policy, "value_head")


def test_the_size_limit_is_checked_before_loading(saved_policy):
    # with no config.json and unreadable weights, only a check made before loading can answer
    (saved_policy / "config.json").unlink()
    (saved_policy / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(AssertionError, match=r"rl_policy/ holds \d+ MB"):
        saved_models.load_saved(saved_policy, "GPT2LMHeadModel", "tiny-gpt", max_mb=0.01)
