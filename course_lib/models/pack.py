"""The zoo as one file: ``pack`` writes it, ``install`` checks and unpacks it into ``$COURSE_HOME``.

The pinned build gives the same bytes on any x86-64 machine with AVX2, but it takes minutes and a
laptop, a Colab runtime or an ARM machine may not have what it needs. So course staff build the
zoo once, pack it (models, tokenizer, model cards and the generated data sets, ~10 MB), and
everyone else installs the pack: students, TAs, graders, a JupyterHub image.

A pack is a gzipped tar whose bytes depend only on the zoo's bytes (sorted members, no times,
owners or modes of this machine), so two packs of one build are byte-identical and a pack's
sha256 names the zoo it holds. Its first member, ``zoo-pack.json``, lists every file's sha256,
each model's weights hash and each data set's version; ``install`` refuses a pack whose files do
not match it, and installs each folder by renaming it into place, so a failed install leaves
the zoo as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from course_lib.paths import cache_root

MANIFEST = "zoo-pack.json"
FORMAT = 1
ROOTS = ("models", "data")          # what a pack may write under $COURSE_HOME


class PackError(ValueError):
    """A pack that cannot be written or installed, with the file and the reason."""


@dataclass(frozen=True)
class PackInfo:
    path: Path
    sha256: str
    manifest: dict


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _folders(names: list[str] | None) -> list[str]:
    """The folders under $COURSE_HOME a pack of ``names`` holds (relative, posix)."""
    from course_lib import data
    from course_lib.models import zoo

    names = list(names or zoo.ZOO)
    unknown = [n for n in names if n not in zoo.ZOO]
    if unknown:
        raise PackError(f"unknown model(s) {', '.join(unknown)}; the zoo has {', '.join(zoo.ZOO)}")
    missing = [n for n in ["tokenizer", *names] if not zoo.is_current(n)]
    if missing:
        raise PackError(f"{', '.join(missing)} not built or out of date in {zoo.path('tokenizer').parent}: "
                        "run `course models build` first")
    for name in data.names():          # every lab reads the data sets; they are small
        data.materialize(name)
    return [f"models/{n}" for n in ["tokenizer", *names]] + \
        [f"data/{data.dataset_dir(n).name}" for n in data.names()]


def manifest_of(root: Path, folders: list[str]) -> dict:
    from course_lib import data
    from course_lib.models import zoo

    files = {}
    for folder in folders:
        for f in sorted((root / folder).rglob("*")):
            if f.is_file() and not f.name.startswith("."):
                files[f.relative_to(root).as_posix()] = file_sha256(f)
    models = {}
    for folder in folders:
        if folder.startswith("models/"):
            name = folder.split("/", 1)[1]
            card = zoo.card(name)
            models[name] = card.get("sha256" if name == "tokenizer" else "weights_sha256")
    return {"format": FORMAT, "models": models, "data": {n: data.version(n) for n in data.names()},
            "files": files}


def _tar_info(name: str, size: int | None) -> tarfile.TarInfo:
    """A member that says nothing about this machine: no time, owner or umask."""
    info = tarfile.TarInfo(name)
    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
    if size is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
    else:
        info.size, info.mode = size, 0o644
    return info


def pack(out: Path, names: list[str] | None = None) -> PackInfo:
    """Write the zoo (``names``, default all, plus the tokenizer and every data set) to ``out``."""
    root = cache_root()
    folders = _folders(names)
    manifest = manifest_of(root, folders)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    body = json.dumps(manifest, indent=1, sort_keys=True).encode() + b"\n"
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_tar_info(MANIFEST, len(body)), io.BytesIO(body))
        for rel in manifest["files"]:            # sorted by path
            with open(root / rel, "rb") as f:
                tar.addfile(_tar_info(rel, (root / rel).stat().st_size), f)
    os.replace(tmp, out)
    return PackInfo(out, file_sha256(out), manifest)


def _fetch(source: str) -> Path:
    """A local copy of ``source`` (a path, or an http(s) URL where the network allows it)."""
    if source.startswith(("http://", "https://")):
        fd, name = tempfile.mkstemp(prefix="zoo-pack-", suffix=".tar.gz")
        os.close(fd)
        try:
            with urllib.request.urlopen(source, timeout=60) as r, open(name, "wb") as f:
                shutil.copyfileobj(r, f)
        except OSError as e:
            os.unlink(name)
            raise PackError(f"{source}: could not download the zoo pack ({e})") from None
        return Path(name)
    path = Path(source).expanduser()
    if not path.is_file():
        raise PackError(f"{path}: no such zoo pack (make one with `course models pack -o FILE`)")
    return path


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and (name == MANIFEST or p.parts[0] in ROOTS)


def install(source: str | Path, sha256: str | None = None) -> dict:
    """Check the pack at ``source`` and install its folders into $COURSE_HOME; returns its manifest.

    ``sha256`` (the one ``pack`` printed) is checked first where given. Every file is checked
    against the manifest before anything is moved into place."""
    path = _fetch(str(source))
    where = str(source)
    if sha256 and file_sha256(path) != sha256.lower():
        raise PackError(f"{where}: sha256 {file_sha256(path)[:12]}... is not the {sha256[:12]}... expected: "
                        "a damaged or different download")
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".zoo-install-", dir=root))
    try:
        try:
            with tarfile.open(path, "r:gz") as tar:
                members = tar.getmembers()
                bad = [m.name for m in members if not (m.isfile() or m.isdir()) or not _safe_name(m.name)]
                if bad:
                    raise PackError(f"{where}: not a zoo pack (unexpected member {bad[0]!r})")
                if not members or members[0].name != MANIFEST:
                    raise PackError(f"{where}: not a zoo pack (no {MANIFEST} at its start)")
                manifest = json.load(tar.extractfile(members[0]))
                # members are checked above (plain files and folders, relative names under ROOTS); the
                # "data" filter says the same where this Python has it (3.11.4+; Debian 12 has 3.11.2)
                extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(staging, members=members[1:], **extra)
        except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError) as e:
            raise PackError(f"{where}: not a readable zoo pack ({e})") from None
        if manifest.get("format") != FORMAT:
            raise PackError(f"{where}: pack format {manifest.get('format')!r}; this course_lib reads {FORMAT}")
        present = {f.relative_to(staging).as_posix() for f in staging.rglob("*") if f.is_file()}
        listed = manifest.get("files") or {}
        for rel in sorted(set(listed) | present):
            if rel not in present or rel not in listed or file_sha256(staging / rel) != listed[rel]:
                raise PackError(f"{where}: {rel} does not match the pack's manifest (damaged pack); nothing installed")
        for rel in listed:         # readable by every user (a shared JupyterHub zoo), executable by none
            (staging / rel).chmod(0o644)
        folders = sorted({"/".join(PurePosixPath(rel).parts[:2]) for rel in listed})
        for folder in folders:        # each folder replaced whole, by a rename
            (staging / folder).chmod(0o755)
            final = root / folder
            final.parent.mkdir(parents=True, exist_ok=True)
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            if final.exists():
                os.replace(final, old)
            os.replace(staging / folder, final)
            shutil.rmtree(old, ignore_errors=True)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if path != Path(str(source)).expanduser():
            path.unlink(missing_ok=True)
