"""Which CPU-kernel settings change the zoo's bytes, and what pinning them costs in build time.

    python benchmarks/zoo_numerics.py [--models tiny-gpt tiny-toxicity] [--settings NAME ...]

Builds each model from nothing (the tokenizer is copied from the installed zoo) in a fresh
$COURSE_HOME under each setting, one after the other, and prints the weights' sha256 and the
build time, then the hashes the repository records. Settings:

* ``pinned``: what ``course models build`` does (``course_lib.numerics.PINNED``);
* ``pinned-over-default``: the same, started from an environment that asks ATen for its
  portable kernels: pinning must win (the same hash as ``pinned``);
* ``native``: nothing pinned, the kernels torch picks for this CPU (AVX-512 where it has it);
* ``aten-default``, ``aten-avx2``, ``aten-avx512``: nothing pinned but ATen's capability;
* ``mkl-compatible``: ATen pinned, MKL on its most portable branch instead of AVX2;
* ``pinned-intel-mkl``, ``aten-default-intel-mkl``: ``pinned`` and ``aten-default`` with MKL
  told the CPU is Intel's (``mkl_vendor.py``): on an AMD CPU, the bytes an Intel CPU builds.

The ``kernels`` column says what torch actually used. ``aten-avx512`` on a CPU without
AVX-512 dies with an illegal instruction (torch does not fall back): run it only where the CPU
has AVX-512. ``train s`` is the build's own time (the card's), ``wall s`` includes starting
Python and torch.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib import numerics  # noqa: E402
from course_lib.models import zoo  # noqa: E402
from mkl_vendor import intel_dispatch_library  # noqa: E402

UNPINNED = {k: None for k in numerics.PINNED}
SETTINGS = {
    "pinned": ({}, True),
    "pinned-over-default": ({"ATEN_CPU_CAPABILITY": "default"}, True),
    "native": (UNPINNED, False),
    "aten-default": ({**UNPINNED, "ATEN_CPU_CAPABILITY": "default"}, False),
    "aten-avx2": ({**UNPINNED, "ATEN_CPU_CAPABILITY": "avx2"}, False),
    "aten-avx512": ({**UNPINNED, "ATEN_CPU_CAPABILITY": "avx512"}, False),
    "mkl-compatible": ({**numerics.PINNED, "MKL_CBWR": "COMPATIBLE"}, False),
}
for _base in ("pinned", "aten-default"):     # the same settings as an Intel CPU runs them
    SETTINGS[f"{_base}-intel-mkl"] = ({**SETTINGS[_base][0], "LD_PRELOAD": intel_dispatch_library}, SETTINGS[_base][1])


def setting_env(setting: str, base: dict) -> dict:
    """``base`` with ``setting``'s variables set (or removed, where its value is None; a callable
    gives the value, so the MKL shim is compiled only when a setting asks for it)."""
    env = dict(base)
    for key, value in SETTINGS[setting][0].items():
        value = value() if callable(value) else value
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def build_under(name: str, setting: str, home: Path) -> dict:
    """Build ``name`` into ``home`` under ``setting``; its card's hash, kernels and time."""
    through_course = SETTINGS[setting][1]
    env = setting_env(setting, dict(os.environ, COURSE_HOME=str(home), HF_HUB_OFFLINE="1"))
    argv = ([sys.executable, "-m", "autograder.cli", "models", "build", name] if through_course
            else [sys.executable, "-m", "course_lib.models.build_pinned", "--as-is", name])
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    card = json.loads((home / "models" / name / zoo.CARD).read_text())
    return {"sha256": card["weights_sha256"], "kernels": card["numerics"]["aten_capability"],
            "mkl": card["numerics"]["mkl_cbwr"], "seconds": card["build_seconds"], "wall": seconds}


def fresh_home(root: Path, label: str) -> Path:
    home = root / label
    shutil.copytree(zoo.path("tokenizer"), home / "models" / "tokenizer")
    return home


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["tiny-toxicity", "tiny-encoder", "tiny-gpt"])
    ap.add_argument("--settings", nargs="+", default=[s for s in SETTINGS if s != "aten-avx512"], choices=list(SETTINGS))
    args = ap.parse_args()
    recorded = zoo.recorded()
    root = Path(tempfile.mkdtemp(prefix="zoo-numerics-"))
    print(f"torch picks {numerics.capability()} kernels on this CPU unpinned; {os.cpu_count()} cores")
    print(f"{'model':<15}{'setting':<22}{'kernels':<9}{'MKL_CBWR':<13}{'sha256':<15}{'train s':>8}{'wall s':>8}"
          "  recorded?")
    try:
        for name in args.models:
            for setting in args.settings:
                r = build_under(name, setting, fresh_home(root, f"{name}-{setting}"))
                same = "yes" if r["sha256"] == recorded.get(name, {}).get("sha256") else "no"
                print(f"{name:<15}{setting:<22}{r['kernels']:<9}{str(r['mkl']):<13}{r['sha256'][:12]:<15}"
                      f"{r['seconds']:>8.1f}{r['wall']:>8.1f}  {same}", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
