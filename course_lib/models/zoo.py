"""The tiny model zoo: build once, locally and deterministically; load with ``from_pretrained``.

    >>> from course_lib.models import zoo
    >>> zoo.build_all()                         # what is missing, into $COURSE_HOME/models
    >>> model, tok = zoo.load("tiny-flan")      # T5ForConditionalGeneration + tokenizer

``zoo.path(name)`` is an ordinary ``save_pretrained`` folder, so ``AutoModel...from_pretrained``
works on it directly; and any loader that takes a model name accepts a hub id instead
(e.g. ``google/flan-t5-small``) on a machine that has it.

Each folder holds a ``model_card.json``: parameters, size on disk, data, seed, the weights'
sha256, the kernels that built it and the metrics measured at build time. A folder whose card
matches the current recipe is reused, so a second ``build_all`` is a no-op.

Builds run with pinned CPU kernels (``course_lib.numerics``), in a child process when this one
cannot pin them any more, so the zoo is the same bytes on every x86-64 machine with AVX2. The
repository records those bytes' hashes (``recorded_hashes.json``); :func:`verify` compares the
zoo present with them, so a zoo that differs is named as such before any lab's figure moves.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from course_lib import numerics
from course_lib.paths import atomic_write_text, models_dir

CARD = "model_card.json"
RECORDED = Path(__file__).with_name("recorded_hashes.json")
TOKENIZER_DATA = ["dialogsum", "instructions", "dialog_topics", "kb_passages", "kb_questions",
                  "toxicity", "preferences"]


@dataclass(frozen=True)
class Spec:
    name: str
    module: str                 # course_lib.models.<module> with RECIPE and build(out, tokenizer_dir, log)
    tokenizer: str              # which tokenizer variant it ships with
    family: str                 # the transformers class that loads it
    data: tuple[str, ...] = field(default_factory=tuple)


ZOO: dict[str, Spec] = {s.name: s for s in (
    Spec("tiny-flan", "course_lib.models.flan", "t5", "T5ForConditionalGeneration",
         ("instructions", "kb_passages", "kb_questions")),
    Spec("tiny-gpt", "course_lib.models.gpt", "gpt", "GPT2LMHeadModel", ("preferences",)),
    Spec("tiny-encoder", "course_lib.models.encoder", "encoder", "BertModel", ("kb_passages", "kb_questions")),
    Spec("tiny-toxicity", "course_lib.models.toxicity_classifier", "encoder", "BertForSequenceClassification",
         ("toxicity",)),
)}


def path(name: str) -> Path:
    """The local folder of a zoo model (it may not be built yet)."""
    if name not in ZOO and name != "tokenizer":
        raise KeyError(f"unknown model {name!r}; the zoo has: {', '.join(ZOO)}")
    return models_dir() / name


def corpus_texts(names: list[str] = TOKENIZER_DATA) -> list[str]:
    """Every string field of every split of the named data sets, in a fixed order."""
    from course_lib import data

    texts = []
    for name in names:
        for split, rows in sorted(data.generate(name).items()):
            for row in rows:
                texts += [v for k, v in sorted(row.items()) if isinstance(v, str) and k != "id"]
    return texts


def corpus_tokenizer(names: list[str] = TOKENIZER_DATA):
    from course_lib.models.tokenizer import train_bpe

    return train_bpe(corpus_texts(names))


def weights_sha256(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.glob("*.safetensors")):
        h.update(f.read_bytes())
    return h.hexdigest()


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _recipe(spec: Spec) -> dict:
    return importlib.import_module(spec.module).RECIPE


def is_current(name: str) -> bool:
    card = path(name) / CARD
    if not card.exists():
        return False
    try:
        meta = json.loads(card.read_text())
    except json.JSONDecodeError:
        return False
    if name == "tokenizer":
        return meta.get("recipe") == _tokenizer_recipe()
    # a model built before the kernels were pinned (no numerics version) is rebuilt
    return (meta.get("recipe") == _recipe(ZOO[name]) and meta.get("tokenizer_sha256") == _card("tokenizer").get("sha256")
            and (meta.get("numerics") or {}).get("version") == numerics.VERSION)


def _card(name: str) -> dict:
    try:
        return json.loads((path(name) / CARD).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def _tokenizer_recipe() -> dict:
    from course_lib import data
    from course_lib.models.tokenizer import VOCAB_SIZE

    return {"version": 1, "vocab_size": VOCAB_SIZE, "data": {n: data.version(n) for n in TOKENIZER_DATA}}


def _publish(tmp: Path, final: Path, card: dict) -> None:
    """Write the card last and rename the folder into place: a crash leaves no half model."""
    atomic_write_text(tmp / CARD, json.dumps(card, indent=2, sort_keys=True))
    # save_pretrained writes 0600 files; sandboxes and containers read them as another uid
    for f in [tmp, *tmp.rglob("*")]:
        f.chmod(0o755 if f.is_dir() else 0o644)
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)


def _staging(name: str) -> Path:
    tmp = models_dir() / f".{name}.building-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def build_tokenizer(log: Callable[[str], None] = print) -> Path:
    from course_lib.models.tokenizer import save_variants

    final = path("tokenizer")
    if is_current("tokenizer"):
        return final
    start = time.perf_counter()
    tmp = _staging("tokenizer")
    tok = corpus_tokenizer()
    save_variants(tok, {v: tmp / v for v in ("t5", "gpt", "encoder")})
    digest = hashlib.sha256(tok.to_str().encode()).hexdigest()
    _publish(tmp, final, {"name": "tokenizer", "recipe": _tokenizer_recipe(), "vocab_size": tok.get_vocab_size(),
                          "sha256": digest, "build_seconds": round(time.perf_counter() - start, 1)})
    log(f"tokenizer: {tok.get_vocab_size()} tokens")
    return final


def build(name: str, log: Callable[[str], None] = print, force: bool = False) -> Path:
    """Build ``name`` (and the tokenizer) unless an up-to-date copy exists, with pinned kernels."""
    build_tokenizer(log)
    final = path(name)
    if is_current(name) and not force:
        return final
    if numerics.cpu_has_avx2() and numerics.problem() is not None:
        # torch here already computes with other kernels (its choice is made once per process);
        # without AVX2 a child could not pin them either, and build_here says so
        return _build_in_pinned_process(name, log)
    return build_here(name, log)


def _build_in_pinned_process(name: str, log: Callable[[str], None]) -> Path:
    proc = subprocess.Popen([sys.executable, "-m", "course_lib.models.build_pinned", name],
                            env={**numerics.pinned_env(), "PYTHONUNBUFFERED": "1"},   # its log as it goes
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        log(lines[-1].removeprefix(f"{name}: "))
    if proc.wait() != 0:
        raise RuntimeError(f"building {name} in a pinned process failed:\n" + "\n".join(lines[-15:]))
    return path(name)


def build_here(name: str, log: Callable[[str], None] = print) -> Path:
    """Build ``name`` in this process, with whatever kernels it computes with (warning when
    they are not the pinned ones)."""
    from course_lib import data
    from course_lib.seeding import set_seed

    spec = ZOO[name]
    why = numerics.problem()
    if why:
        log(f"{name}: WARNING: {why}; its weights will not match the recorded hashes. Install a zoo built "
            "on an x86-64 machine with AVX2 instead of building one here.")
    recipe = _recipe(spec)
    set_seed(recipe["seed"], threads=2)
    start = time.perf_counter()
    tmp = _staging(name)
    tok_dir = build_tokenizer(log) / spec.tokenizer
    metrics = importlib.import_module(spec.module).build(tmp, tok_dir, log=lambda m: log(f"{name}: {m}"))
    seconds = time.perf_counter() - start
    card = {
        "name": name, "family": spec.family, "recipe": recipe, "seed": recipe["seed"],
        "parameters": _count_parameters(tmp / "config.json"),
        "size_bytes": folder_bytes(tmp), "weights_sha256": weights_sha256(tmp),
        "tokenizer_sha256": _card("tokenizer").get("sha256"),
        "data": {d: data.version(d) for d in spec.data},
        "numerics": numerics.describe(),
        "metrics": metrics, "build_seconds": round(seconds, 1),
    }
    _publish(tmp, path(name), card)
    log(f"{name}: built in {seconds:.0f}s, {card['parameters']:,} parameters, sha256 {card['weights_sha256'][:12]}")
    for line in verify([name]):
        log(f"WARNING: {line}")
    return path(name)


def _count_parameters(config_file: Path) -> int:
    from safetensors import safe_open

    total = 0
    for f in config_file.parent.glob("*.safetensors"):
        with safe_open(str(f), "pt") as st:
            for key in st.keys():
                total += _prod(st.get_slice(key).get_shape())
    return total


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def build_all(log: Callable[[str], None] = print, names: list[str] | None = None) -> list[Path]:
    return [build(n, log) for n in (names or list(ZOO))]


def _bytes_sha256(name: str, meta: dict) -> str | None:
    """The hash a card records for the bytes it describes (the tokenizer's card names it apart)."""
    return meta.get("sha256" if name == "tokenizer" else "weights_sha256")


def recorded() -> dict:
    """The hashes the repository records for the pinned build of each model (and the tokenizer)."""
    return json.loads(RECORDED.read_text())


def verify(names: list[str] | None = None) -> list[str]:
    """One line per built model (or the tokenizer) whose bytes differ from the recorded build."""
    rec = recorded()
    problems = []
    for name in names or ["tokenizer", *ZOO]:
        c, want = _card(name), rec.get(name)
        if not c or not want:
            continue
        got = _bytes_sha256(name, c)
        if got == want["sha256"]:
            continue
        recipe = c.get("recipe", {}).get("version")
        if recipe != want["recipe_version"]:
            cause = (f"its recipe is version {recipe} and the record is of version {want['recipe_version']}: "
                     f"record the new build with `course models verify --record`")
        elif name != "tokenizer" and not (c.get("numerics") or {}).get("pinned"):
            n = c.get("numerics") or {}
            cause = (f"it was built with {n.get('aten_capability', 'unknown')} kernels, not the pinned "
                     f"{numerics.CAPABILITY} ones (a CPU without AVX2, or a build outside `course models build`): "
                     "install a zoo built on an AVX2 machine")
        else:
            cause = ("the same recipe with pinned kernels gave other bytes: another kind of CPU than the "
                     f"{want.get('cpu', 'one')} that recorded it (pinning fixes which kernels torch and MKL use, yet "
                     "an Intel Xeon and an AMD EPYC still give different bytes: grade on the release's zoo pack, "
                     "never on a rebuild), a library version changed "
                     f"(recorded with torch {want.get('torch')}, transformers {want.get('transformers')}, tokenizers "
                     f"{want.get('tokenizers')}) or the data generators did")
        problems.append(f"{name}: sha256 {got[:12]}... differs from the {want['sha256'][:12]}... recorded in "
                        f"{RECORDED.name}; likely cause: {cause}")
    return problems


def present_sha256(name: str) -> str | None:
    """The hash of the bytes on disk (a model's card may not describe its weights any more: a
    hand-copied file, a damaged disk); the tokenizer's from its card, or None when not built."""
    if name != "tokenizer" and (path(name) / CARD).exists():
        return weights_sha256(path(name))
    return _bytes_sha256(name, _card(name))


def fingerprint(names: list[str], data_sets: list[str] = ()) -> dict:
    """What a release was recorded on: the weights' sha256 of each named model and of the
    tokenizer, and under ``"data"`` the version of each named data set."""
    from course_lib import data

    out = {n: present_sha256(n) for n in ["tokenizer", *names]} if names else {}
    if data_sets:
        out["data"] = {n: data.version(n) for n in data_sets}
    return out


FINGERPRINT_EXTRAS = ("data", "pack")      # the fingerprint's keys that are not models


def fingerprint_problems(recorded_on: dict) -> list[str]:
    """One line per model (or data set) here that differs from ``recorded_on``, a release's fingerprint."""
    from course_lib import data

    problems = []
    for name, want in sorted(recorded_on.items()):
        if name in FINGERPRINT_EXTRAS:
            continue
        got = present_sha256(name)
        if got != want:
            problems.append(f"{name}: sha256 {want[:12]}... at release, "
                            f"{(got[:12] + '...') if got else 'not installed'} here")
    for name, want in sorted((recorded_on.get("data") or {}).items()):
        got = data.version(name) if name in data.names() else None
        if got != want:
            problems.append(f"data set {name}: version {want} at release, {got or 'unknown'} in this course_lib")
    return problems


def zoo_fix(recorded_on: dict) -> str:
    """What to do about a zoo that differs from a release's: install the pack it was made with."""
    pack = recorded_on.get("pack") or {}
    if pack.get("file"):
        return (f"install the zoo this release was made with: `course models install {pack['file']} "
                f"--sha256 {pack['sha256']}` (the file is published with the assignment)")
    return ("install the course's zoo pack (`course models install FILE`; staff make it with `course models pack` "
            "on the machine that released), or rebuild with `course models build --force` (the pinned build "
            "gives the recorded bytes on any x86-64 machine with AVX2)")


def record_hashes(names: list[str] | None = None) -> dict:
    """Write the zoo present as the reference build of ``names`` (default: the tokenizer and every
    model), after an intended recipe change; the other records stay as they are."""
    import tokenizers
    import torch
    import transformers

    stamp = {"torch": torch.__version__, "transformers": transformers.__version__,
             "tokenizers": tokenizers.__version__, "cpu": numerics.cpu_name()}
    out = recorded() if RECORDED.exists() else {}
    for name in names or ["tokenizer", *ZOO]:
        c = card(name)
        if name == "tokenizer":
            out[name] = {"sha256": c["sha256"], "recipe_version": _tokenizer_recipe()["version"], **stamp}
            continue
        if not (c.get("numerics") or {}).get("pinned"):
            raise RuntimeError(f"{name} was not built with the pinned kernels: rebuild it before recording")
        out[name] = {"sha256": c["weights_sha256"], "recipe_version": c["recipe"]["version"], **stamp}
    atomic_write_text(RECORDED, json.dumps(out, indent=2, sort_keys=True) + "\n")
    return out


def card(name: str) -> dict:
    c = _card(name)
    if not c:
        raise FileNotFoundError(f"{name} is not built: run `course models build` (looked in {path(name)})")
    return c


# transformers' lazy imports and from_pretrained are not thread-safe: `course validate` and
# `course grade -j N` grade in threads of one process, and hidden tests load models there (two
# concurrent loads failed with "module 'transformers' has no attribute ..." or came back with
# untied embeddings). Every load in the grading process holds this lock.
LOAD_LOCK = threading.RLock()


def load(name: str, device: str = "cpu"):
    """``(model, tokenizer)`` for a zoo name, or a hub id / folder path, via ``from_pretrained``."""
    with LOAD_LOCK:
        return _load(name, device)


def _load(name: str, device: str):
    import transformers

    if name in ZOO:
        folder = path(name)
        if not (folder / CARD).exists():
            raise FileNotFoundError(f"model {name!r} is not built yet: run `course models build` (looked in {folder})")
        cls = getattr(transformers, ZOO[name].family)
        source = str(folder)
    else:   # a folder or hub id: the class save_pretrained recorded (a T5 needs its LM head to generate)
        source = name
        saved = (transformers.AutoConfig.from_pretrained(source).architectures or ["AutoModel"])[0]
        cls = getattr(transformers, saved, transformers.AutoModel)
    model = cls.from_pretrained(source).to(device).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(source)
    return model, tokenizer

