"""Where generated data and built models live.

One cache root, ``$COURSE_HOME`` (default ``~/.cache/genai-course``), so that students,
graders and containers can share or bake in the same files.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "COURSE_HOME"


def cache_root() -> Path:
    root = os.environ.get(ENV_VAR) or Path.home() / ".cache" / "genai-course"
    return Path(root).expanduser()


def data_dir() -> Path:
    return cache_root() / "data"


def models_dir() -> Path:
    return cache_root() / "models"


def repo_root() -> Path:
    """The source checkout (assignments/, dist/ ...); only meaningful for staff tools."""
    return Path(__file__).resolve().parent.parent


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
