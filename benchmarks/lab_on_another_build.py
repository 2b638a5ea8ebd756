"""A lab's reference figures on another build of the zoo: do its lessons hold when the weights move?

    python benchmarks/lab_on_another_build.py 07-evaluation [--setting aten-default] [--keep DIR]
                                              [--model NAME=FOLDER ...]

Builds the models the lab requires under one of ``zoo_numerics.py``'s kernel settings (default
``aten-default``: ATen's portable kernels, unpinned, the build another machine could have made)
into a fresh ``COURSE_HOME``, releases the lab there (the solution runs and records its reference
on those weights) and prints every ``ref.snapshot`` next to the one the release on the zoo present
recorded, when ``dist/<id>`` holds one. ``--keep DIR`` keeps the build (a rerun reuses it).
``--model tiny-flan=FOLDER`` takes that model from a folder instead of building it, e.g. one of
``lesson_robustness.py --keep``'s builds of another training seed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from lab_figures import short, snapshots  # noqa: E402
from zoo_numerics import SETTINGS, build_under, fresh_home  # noqa: E402

from course_lib import numerics  # noqa: E402
from course_lib.models import zoo  # noqa: E402


def built_with(folder: Path) -> dict:
    """The kernels a build was made with: its model card's record, or the ``numerics.json``
    ``lesson_robustness.py`` writes beside its builds; unknown (and so not pinned) otherwise."""
    for record in (folder / zoo.CARD, folder / "numerics.json"):
        if record.exists():
            found = json.loads(record.read_text())
            return found.get("numerics", found)        # a card nests it; numerics.json is the record itself
    return {"version": numerics.VERSION, "aten_capability": "unknown", "pinned": False}


def adopt(name: str, source: Path, home: Path) -> None:
    """Copy a build into ``home`` as zoo model ``name`` (a copy, not a link: the sandbox that runs
    the solution sees COURSE_HOME only), with the card the zoo checks for: the installed model's,
    with this build's weights hash, where it came from and the kernels it was built with (a copy
    never claims the installed model's pinned kernels). ``zoo._publish`` writes it, makes the
    files readable for the sandbox's other user and renames the copy into place."""
    tmp = home / "models" / f".{name}.copying"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp)
    card = {**zoo.card(name), "weights_sha256": zoo.weights_sha256(tmp), "copied_from": str(source),
            "numerics": built_with(source)}
    zoo._publish(tmp, home / "models" / name, card)


def given_builds(items: list[str]) -> dict[str, Path]:
    """``--model NAME=FOLDER`` items as name -> folder; a name the zoo lacks is one clear line."""
    given = {name: Path(folder).resolve() for name, folder in (item.split("=", 1) for item in items)}
    unknown = sorted(set(given) - set(zoo.ZOO))
    if unknown:
        raise SystemExit(f"--model: {', '.join(unknown)} is not a zoo model ({', '.join(zoo.ZOO)})")
    return given


def assemble(root: Path, setting: str, names: list[str], given: dict[str, Path]) -> Path:
    """``root/<setting>`` as a COURSE_HOME holding ``names``: each copied from ``given`` where it
    names a folder, else built under ``setting`` unless already there. Returns the home."""
    home = root / setting
    if not (home / "models" / "tokenizer").exists():
        home = fresh_home(root, setting)
    for name in names:
        if name in given:
            adopt(name, given[name], home)
            print(f"{name:<14} from {given[name]}", flush=True)
        elif not (home / "models" / name / zoo.CARD).exists():
            r = build_under(name, setting, home)
            print(f"{name:<14} built under {setting}: {r['sha256'][:12]} ({r['kernels']} kernels, "
                  f"{r['seconds']:.0f} s)", flush=True)
    return home


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("lab")
    ap.add_argument("--setting", default="aten-default", choices=list(SETTINGS))
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--model", nargs="+", default=[], metavar="NAME=FOLDER", help="use this build of NAME")
    args = ap.parse_args()
    given = given_builds(args.model)
    config = tomllib.loads((REPO / "assignments" / args.lab / "assignment.toml").read_text())
    models = config.get("requires", {}).get("models", [])
    root = args.keep or Path(tempfile.mkdtemp(prefix="lab-build-"))
    try:
        home = assemble(root, args.setting, models, given)
        out = root / f"dist-{args.setting}"
        env = dict(os.environ, COURSE_HOME=str(home), HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
        subprocess.run([sys.executable, "-m", "autograder.cli", "release", args.lab, "--out", str(out)],
                       env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        other = snapshots(out / args.lab / "autograder")
        here = snapshots(REPO / "dist" / args.lab / "autograder")
        print(f"\n{args.lab}: {'snapshot':<72} {args.setting:>12} {'zoo present':>12}")
        for key in sorted(other):
            print(f"  {key:<72} {short(other[key]):>12} {short(here.get(key, '-')):>12}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
