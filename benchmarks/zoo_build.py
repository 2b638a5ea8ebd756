"""How long the tiny model zoo takes to build from nothing, and to confirm it is up to date.

    python benchmarks/zoo_build.py [--keep DIR]

Builds every model into a fresh, temporary $COURSE_HOME (data generated too), prints each
model's build time and the total, then runs `course models build` again and prints how long
the no-op takes. Budget: <= 8 minutes from nothing (raised from 6 when tiny-flan took the reading drills), < 5 s no-op, on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="build here instead of a temporary folder")
    args = ap.parse_args()
    home = args.keep or tempfile.mkdtemp(prefix="zoo-bench-")
    env = dict(os.environ, COURSE_HOME=home, HF_HUB_OFFLINE="1")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder.cli", "models", "build"], env=env, check=True)
    total = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder.cli", "models", "build"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    noop = time.perf_counter() - start
    os.environ["COURSE_HOME"] = home
    from course_lib.models import zoo

    print(f"\n{'model':<15}{'build s':>9}{'params':>12}{'MB':>7}")
    for name in zoo.ZOO:
        c = zoo.card(name)
        print(f"{name:<15}{c['build_seconds']:>9.1f}{c['parameters']:>12,}{c['size_bytes'] / 1e6:>7.1f}")
    print(f"\nfrom nothing: {total:.0f} s (budget 480 s); second run (no-op): {noop:.1f} s (budget 5 s); "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
