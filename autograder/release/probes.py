"""Probes for hidden tests that award points without the work (``course validate --probes``).

*Forged results.* A value a notebook left in a variable (a score, a list of answers, a table)
is the student's claim, not evidence. At release, while the solution is graded to record the
reference, every name each hidden test reads from the notebook is noted, with the value the
solution left there when it is plain data (``notebook_reads.json``, grader-only). The probe
grades the untouched student notebook plus one cell assigning every such name that value:
a hidden test that passes on it trusts the variable, and fails validation by name, unless the
assignment declares why that test may (``[validate] trusts`` in ``assignment.toml``).

*Untrained artefacts.* Hidden tests load the models a notebook saved next to it
(``student_path("ft_summarizer")``); a test that passes on an untouched zoo model, or on a peft
adapter as ``get_peft_model`` creates it, gives points without the training. At release, the
solution's run notes every folder of its work dir holding a saved model (``config.json`` and
weights) or adapter (``adapter_config.json``), with the saved config, the zoo model it matches
and the tests that read it (``saved_artefacts.json``, grader-only). The probe grades the
untouched student notebook plus one cell that calls :func:`write_untrained` for each folder, in
the student's process: any autograded test that passes on it fails validation by name, unless
``[validate] trusts`` says why it may.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat

from autograder.isolation import wire
from autograder.isolation.student_process import RemoteRef

READS = "notebook_reads.json"
PROBE_CELL = '''# course validate: the forged-results probe. Every value the hidden tests read from the notebook,
# as the solution's run left it; no function of the notebook is defined.
import json as _probe_json
from autograder.isolation import wire as _probe_wire
for _probe_name, _probe_value in _probe_json.loads({payload!r}).items():
    globals()[_probe_name] = _probe_wire.decode(_probe_value)
'''


def save_reads(folder: Path, reads: dict[str, dict], tests: list[dict]) -> Path:
    """Keep, for the hidden tests, the names each read and the plain-data values among them."""
    hidden = {t["name"] for t in tests if t.get("hidden")}
    per_test: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for test, names in reads.items():
        if test not in hidden:
            continue
        for name, value in names.items():
            if isinstance(value, RemoteRef):
                continue                        # a function or an object: not forgeable by assignment
            try:
                values[name] = wire.encode(value)
            except TypeError:                   # a container holding objects
                continue
            per_test.setdefault(test, []).append(name)
    path = Path(folder) / READS
    path.write_text(json.dumps({"version": 1, "tests": per_test, "values": values}, sort_keys=True))
    return path


def load_reads(folder: Path) -> dict | None:
    path = Path(folder) / READS
    return json.loads(path.read_text()) if path.exists() else None


def forged_notebook(template: bytes, values: dict) -> bytes:
    nb = nbformat.reads(template.decode("utf-8"), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE_CELL.format(payload=json.dumps(values))))
    return nbformat.writes(nb).encode()


def trusting_tests(result: dict, reads: dict) -> list[tuple[str, list[str]]]:
    """(test, names it read) for every hidden test that passed on forged values."""
    passed = passed_tests(result)
    return [(test, names) for test, names in sorted(reads["tests"].items()) if test in passed]


def passed_tests(result: dict, questions: set[str] | None = None) -> set[str]:
    """The names of the tests that passed in a grading result (of ``questions`` only, if given)."""
    return {t["name"] for q, v in result["questions"].items() if questions is None or q in questions
            for t in v["tests"] if t["status"] == "passed"}


# -- untrained artefacts ---------------------------------------------------------------------

ARTEFACTS = "saved_artefacts.json"
WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")
# small files save_pretrained writes next to the weights that no training changes: copied as the
# solution left them, so that an untrained folder differs from the solution's in its weights only
KEPT_FILES = ("generation_config.json", "tokenizer_config.json", "special_tokens_map.json")
KEPT_MAX_BYTES = 64 << 10
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "spiece.model", "vocab.json")
# what must agree for a zoo model's weights to fit a saved config (names differ between families)
SHAPE_KEYS = ("vocab_size", "hidden_size", "d_model", "n_embd", "num_hidden_layers", "n_layer", "num_layers",
              "num_decoder_layers", "num_attention_heads", "n_head", "num_heads", "intermediate_size", "d_ff",
              "n_inner", "d_kv", "n_positions", "max_position_embeddings")
ADAPTER_BASES = {"CAUSAL_LM": "AutoModelForCausalLM", "SEQ_2_SEQ_LM": "AutoModelForSeq2SeqLM",
                 "SEQ_CLS": "AutoModelForSequenceClassification", "TOKEN_CLS": "AutoModelForTokenClassification",
                 "QUESTION_ANS": "AutoModelForQuestionAnswering", "FEATURE_EXTRACTION": "AutoModel"}
UNTRAINED_CELL = '''# course validate: the untrained-artefacts probe. Every folder the solution saved a model or a peft
# adapter into gets an untrained equivalent: the zoo model it starts from (fresh heads where the
# solution added one), or an adapter as get_peft_model creates it, never trained.
import json as _probe_json
from autograder.release.probes import write_untrained as _probe_write_untrained
_probe_failed = []
for _probe_spec in _probe_json.loads({payload!r}):
    try:
        _probe_write_untrained(_probe_spec)
    except Exception as _probe_error:
        _probe_failed.append(f"{{_probe_spec['path']}}: {{type(_probe_error).__name__}}: {{_probe_error}}")
if _probe_failed:
    raise RuntimeError("could not write an untrained equivalent of " + "; ".join(_probe_failed))
'''


def find_artefacts(workdir: Path) -> list[tuple[str, str]]:
    """``(folder relative to workdir, "model" | "adapter")`` for every folder under ``workdir``
    holding a saved model (``config.json`` and weights) or a peft adapter (``adapter_config.json``).
    Hidden folders (``.hf``, the home of the local backend) and symbolic links are not entered."""
    root = Path(workdir)
    found = []
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(here) / d).is_symlink())
        folder = Path(here)
        if folder == root:
            continue
        rel = folder.relative_to(root).as_posix()
        if "adapter_config.json" in files:
            found.append((rel, "adapter"))
        elif "config.json" in files and any(any(folder.glob(p)) for p in WEIGHT_PATTERNS):
            found.append((rel, "model"))
    return found


def _json_file(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _zoo_config(name: str) -> dict | None:
    from course_lib.models import zoo

    return _json_file(zoo.path(name) / "config.json")


def match_zoo_model(config: dict, names: list[str]) -> str | None:
    """The zoo model among ``names`` a saved model's config was built from: the same model type,
    then the most shape settings in common, then the folder it was loaded from, then the class."""
    hint = Path(str(config.get("_name_or_path") or "")).name
    best, best_score = None, None
    for name in names:
        zc = _zoo_config(name)
        if zc is None or zc.get("model_type") != config.get("model_type"):
            continue
        shape = sum(zc.get(k) == config.get(k) for k in SHAPE_KEYS if k in zc or k in config)
        score = (shape, hint == name, zc.get("architectures") == config.get("architectures"))
        if best_score is None or score > best_score:
            best, best_score = name, score
    return best


def _weight_names(name: str) -> list[str]:
    from course_lib.models import zoo

    try:
        from safetensors import safe_open

        with safe_open(str(zoo.path(name) / "model.safetensors"), "pt") as f:
            return list(f.keys())
    except (OSError, ValueError, ImportError):
        return []


def match_zoo_base(adapter_config: dict, names: list[str]) -> str | None:
    """The zoo model an adapter was created on: the one its ``base_model_name_or_path`` names, else
    the only candidate, else the first whose weights hold every module the adapter targets."""
    from course_lib.models import zoo

    named = Path(str(adapter_config.get("base_model_name_or_path") or "")).name
    if named in zoo.ZOO:
        return named
    built = [n for n in names if _zoo_config(n) is not None]
    if len(built) == 1:
        return built[0]
    targets = adapter_config.get("target_modules")
    if isinstance(targets, list) and targets:
        for name in built:
            modules = {part for key in _weight_names(name) for part in key.split(".")}
            if all(t in modules for t in targets):
                return name
    return None


def describe_artefact(workdir: Path, rel: str, kind: str, zoo_names: list[str]) -> dict:
    """What :func:`write_untrained` needs to rebuild an untrained ``rel``: its config, the zoo
    model it starts from, whether it holds a tokenizer, and the small files kept as they are."""
    folder = Path(workdir) / rel
    spec: dict = {"path": rel, "kind": kind}
    if kind == "adapter":
        spec["adapter_config"] = _json_file(folder / "adapter_config.json") or {}
        spec["base"] = match_zoo_base(spec["adapter_config"], zoo_names)
    else:
        spec["config"] = _json_file(folder / "config.json") or {}
        spec["base"] = match_zoo_model(spec["config"], zoo_names)
    spec["tokenizer"] = any((folder / f).is_file() for f in TOKENIZER_FILES)
    kept = {}
    for name in KEPT_FILES:
        f = folder / name
        if f.is_file() and not f.is_symlink() and f.stat().st_size <= KEPT_MAX_BYTES:
            try:
                kept[name] = f.read_text()
            except (OSError, UnicodeDecodeError):
                continue
    spec["kept_files"] = kept
    return spec


def save_artefacts(folder: Path, specs: list[dict], paths_read: dict[str, set[str]]) -> Path:
    """Write ``saved_artefacts.json`` (grader-only): each saved folder's spec, with the tests that
    read it through ``student_path`` at release."""
    for spec in specs:
        prefix = spec["path"] + "/"
        spec["tests"] = sorted(t for t, rels in paths_read.items()
                               if any(r == spec["path"] or r.startswith(prefix) for r in rels))
    path = Path(folder) / ARTEFACTS
    path.write_text(json.dumps({"version": 1, "folders": specs}, sort_keys=True, indent=1))
    return path


def load_artefacts(folder: Path) -> dict | None:
    path = Path(folder) / ARTEFACTS
    return json.loads(path.read_text()) if path.exists() else None


def untrained_notebook(template: bytes, specs: list[dict]) -> bytes:
    nb = nbformat.reads(template.decode("utf-8"), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(UNTRAINED_CELL.format(payload=json.dumps(specs))))
    return nbformat.writes(nb).encode()


def write_untrained(spec: dict, root: str | Path = ".") -> Path:
    """Write into ``root/spec["path"]`` an untrained equivalent of what the solution saved there.

    Runs in the student's process (the probe cell), where the zoo is mounted read-only. A model:
    the zoo model ``spec["base"]`` loaded with the saved config's class (a head the solution added,
    e.g. a reward model's one-output score, is freshly initialised), or the saved config's class
    initialised from scratch when no zoo model matches. An adapter: ``get_peft_model`` on the zoo
    base with the recorded adapter config, not trained. Seeded, so every probe run writes the
    same bytes.
    """
    import torch
    import transformers

    from course_lib.models import zoo

    folder = Path(root) / spec["path"]
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    base = spec.get("base")
    base_dir = str(zoo.path(base)) if base else None
    torch.manual_seed(0)
    if spec["kind"] == "adapter":
        if base_dir is None:
            raise ValueError(f"no zoo model matches the adapter in {spec['path']}/ (its base_model_name_or_path: "
                             f"{spec['adapter_config'].get('base_model_name_or_path')!r})")
        import peft

        config = dict(spec["adapter_config"])
        config["base_model_name_or_path"] = base_dir          # the solution's may name a path of its machine
        if config.get("tokenizer_name_or_path"):
            config["tokenizer_name_or_path"] = base_dir
        (folder / "adapter_config.json").write_text(json.dumps(config))
        peft_config = peft.PeftConfig.from_pretrained(str(folder))
        cls_name = ADAPTER_BASES.get(str(config.get("task_type") or ""), zoo.ZOO[base].family)
        model = getattr(transformers, cls_name).from_pretrained(base_dir)
        peft.get_peft_model(model, peft_config).save_pretrained(str(folder))
    else:
        (folder / "config.json").write_text(json.dumps({k: v for k, v in spec["config"].items()
                                                       if k != "_name_or_path"}))
        config = transformers.AutoConfig.from_pretrained(str(folder))
        arch = (config.architectures or [None])[0]
        cls = getattr(transformers, arch or "", None)
        if cls is None:
            cls = getattr(transformers, zoo.ZOO[base].family) if base else transformers.AutoModel
        if base_dir is None:
            model = cls.from_config(config) if cls is transformers.AutoModel else cls(config)
        else:
            try:
                model = cls.from_pretrained(base_dir, config=config)
            except (RuntimeError, ValueError):           # a resized vocabulary, say: what differs starts fresh
                model = cls.from_pretrained(base_dir, config=config, ignore_mismatched_sizes=True)
        model.save_pretrained(str(folder))
    if spec.get("tokenizer") and base_dir is not None:
        transformers.AutoTokenizer.from_pretrained(base_dir).save_pretrained(str(folder))
    for name, text in (spec.get("kept_files") or {}).items():
        if "/" not in name and name in KEPT_FILES:
            (folder / name).write_text(text)
    return folder


def untrained_passes(result: dict, template: dict | None, autograded: set[str]) -> list[str]:
    """Autograded tests that pass on the untrained artefacts and not on the template alone."""
    return sorted(passed_tests(result, autograded) - (passed_tests(template, autograded) if template else set()))
