"""Loading a model a student's notebook saved, in the grading process, without trusting it.

Hidden tests rebuild what a submission saved with ``save_pretrained`` and measure it. The
folder is the student's, so: only safetensors weights are read (a pickled ``.bin`` would run
code in the grader), the class is fixed by the lab whatever ``config.json`` says, the
tokenizer is the zoo's (a submission's tokenizer files are never read), and a folder far
bigger than the model it should hold is refused before anything is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

MAX_SAVED_MB = 64           # the zoo's saved models are 1-10 MB; refuse anything much bigger


def load_saved(folder: str | Path, model_class: str, zoo_model: str, *, max_mb: float = MAX_SAVED_MB):
    """``(model, tokenizer)``: ``transformers.<model_class>`` from ``folder`` in eval mode, and
    ``zoo_model``'s tokenizer. Raises AssertionError naming the folder and what is wrong."""
    import transformers

    from course_lib.models import zoo

    folder = Path(folder)
    if not folder.is_dir():
        raise AssertionError(f"{folder.name}/ was not saved: call model.save_pretrained({str(folder.name)!r})")
    size_mb = zoo.folder_bytes(folder) / 2**20
    if size_mb > max_mb:
        raise AssertionError(f"{folder.name}/ holds {size_mb:.0f} MB; a model built on {zoo_model} is a few MB")
    if not (folder / "model.safetensors").is_file():
        raise AssertionError(f"{folder.name}/ has no model.safetensors: save with model.save_pretrained(...)")
    cls = getattr(transformers, model_class)
    _check_config(folder, cls.config_class.model_type, model_class)
    with zoo.LOAD_LOCK:     # graders in threads of one process: loading is not thread-safe
        model, info = cls.from_pretrained(str(folder), use_safetensors=True, output_loading_info=True)
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(zoo.path(zoo_model)))
    # transformers fills missing weights with random ones and carries on: a half-saved model
    # would be graded as if it were the student's
    if info["missing_keys"]:
        missing = sorted(info["missing_keys"])
        raise AssertionError(f"{folder.name}/ lacks {len(missing)} weights of a {model_class} "
                             f"(e.g. {', '.join(missing[:3])}): save the trained model itself")
    return model.eval(), tokenizer


def _check_config(folder: Path, model_type: str, model_class: str) -> None:
    try:
        found = json.loads((folder / "config.json").read_text()).get("model_type")
    except (OSError, ValueError, AttributeError):
        raise AssertionError(f"{folder.name}/config.json is missing or not a JSON object: "
                             "save with model.save_pretrained(...)") from None
    if found != model_type:
        raise AssertionError(f"{folder.name}/ holds a {found!r} model; this question needs a {model_class} "
                             f"({model_type!r})")
