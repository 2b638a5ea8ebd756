"""Every figure the labs' references recorded at release, for the README's tables.

    python benchmarks/lab_figures.py [--dist dist] [IDS...]

Reads ``dist/<id>/autograder/reference.json`` (written by ``course release`` or ``course
validate``) and prints each ``ref.snapshot`` the hidden tests recorded: the reference's ROUGE-L
per prompt style, its fine-tuning scores, reward accuracy, answer F1 and so on, measured on the
zoo whose hashes the release recorded in ``zoo.json`` (printed too).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.isolation import wire  # noqa: E402
from autograder.grading.reference_replay import SNAPSHOT  # noqa: E402
from autograder.release.pipeline import ZOO_FINGERPRINT  # noqa: E402

PREFIX = "snapshot:"


def short(value, depth: int = 0) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {short(v, depth + 1)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        inner = ", ".join(short(v, depth + 1) for v in value[:8])
        return f"[{inner}{', ...' if len(value) > 8 else ''}] ({len(value)})"
    return str(value)[:80]


def snapshots(folder: Path) -> dict:
    """Every ``ref.snapshot`` a release recorded in ``folder`` (its ``autograder/``), by name;
    empty when no reference was recorded there."""
    path = folder / SNAPSHOT
    if not path.exists():
        return {}
    entries = json.loads(path.read_text())["entries"]
    return {k[len(PREFIX):]: wire.decode(v) for k, v in entries.items() if k.startswith(PREFIX)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--dist", type=Path, default=Path("dist"))
    args = ap.parse_args()
    folders = [args.dist / i / "autograder" for i in args.ids] or sorted(args.dist.glob("*/autograder"))
    for folder in folders:
        if not (folder / SNAPSHOT).exists():
            print(f"{folder.parent.name}: no reference recorded (run `course release {folder.parent.name}`)")
            continue
        zoo = json.loads((folder / ZOO_FINGERPRINT).read_text()) if (folder / ZOO_FINGERPRINT).exists() else {}
        data = zoo.pop("data", {})       # the data sets' versions, beside the models' hashes
        print(f"\n{folder.parent.name}  (zoo: " + ", ".join(f"{k} {v[:8]}" for k, v in sorted(zoo.items()))
              + "; data: " + ", ".join(f"{k} v{v}" for k, v in sorted(data.items())) + ")")
        for name, value in sorted(snapshots(folder).items()):
            print(f"  {name:<60} {short(value)}")


if __name__ == "__main__":
    main()
