"""Deterministic, versioned course data sets, loaded through ``datasets``.

Each data set is a generator module with ``VERSION`` (bump it whenever the output changes)
and ``generate() -> {split: [row, ...]}``. ``materialize`` writes the splits as JSON Lines
under the cache; ``load`` reads them back with ``datasets.load_dataset("json", ...)``, the
same call a user makes for any local data set.

    >>> from course_lib import data
    >>> ds = data.load("dialogsum")          # DatasetDict: train / validation / test
    >>> ds["test"][0]["summary"]
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType

from course_lib.paths import atomic_write_text, data_dir

# name -> module that generates it
REGISTRY: dict[str, str] = {
    "dialogsum": "course_lib.data.dialogues",
    "dialog_topics": "course_lib.data.dialog_topics",
    "instructions": "course_lib.data.instructions",
    "preferences": "course_lib.data.preferences",
    "toxicity": "course_lib.data.toxicity",
    "kb_passages": "course_lib.data.knowledge_base",
    "kb_questions": "course_lib.data.knowledge_base",
}


def names() -> list[str]:
    return sorted(REGISTRY)


def _module(name: str) -> ModuleType:
    if name not in REGISTRY:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(names())}")
    return importlib.import_module(REGISTRY[name])


def generate(name: str) -> dict[str, list[dict]]:
    """The splits of ``name`` as plain Python rows (no disk, no cache)."""
    mod = _module(name)
    gen = getattr(mod, f"generate_{name}", None) or mod.generate
    return gen()


def version(name: str) -> int:
    return int(_module(name).VERSION)


def dataset_dir(name: str) -> Path:
    return data_dir() / f"{name}-v{version(name)}"


def to_jsonl(rows: list[dict]) -> str:
    # sort_keys + ensure_ascii: byte-identical output on every machine
    return "".join(json.dumps(r, sort_keys=True, ensure_ascii=True) + "\n" for r in rows)


def materialize(name: str, force: bool = False) -> Path:
    """Write ``name``'s splits to ``<cache>/data/<name>-v<N>/<split>.jsonl``; returns the folder."""
    folder = dataset_dir(name)
    done = folder / "COMPLETE"
    if done.exists() and not force:
        return folder
    splits = generate(name)
    for split, rows in splits.items():
        atomic_write_text(folder / f"{split}.jsonl", to_jsonl(rows))
    atomic_write_text(done, json.dumps({"splits": {s: len(r) for s, r in splits.items()}}))
    return folder


def load(name: str):
    """Load ``name`` as a ``datasets.DatasetDict`` from its local JSON Lines files."""
    import datasets

    folder = materialize(name)
    files = {p.stem: str(p) for p in sorted(folder.glob("*.jsonl"))}
    return datasets.load_dataset("json", data_files=files)


def rows(name: str, split: str) -> list[dict]:
    """One split as plain dicts, read from the cache without importing ``datasets`` (fast)."""
    path = materialize(name) / f"{split}.jsonl"
    if not path.exists():
        raise KeyError(f"data set {name!r} has no split {split!r} (looked in {path})")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]
