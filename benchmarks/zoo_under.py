"""A whole zoo built under one kernel setting, as a COURSE_HOME the test suite can run on.

    python benchmarks/zoo_under.py DIR [--setting aten-default] [--model NAME=FOLDER ...]
    COURSE_HOME=DIR/aten-default make test

Builds every model of the zoo under one of ``zoo_numerics.py``'s settings (default
``aten-default``: ATen's portable kernels, unpinned, the bytes another machine could build) into
``DIR/<setting>``, beside copies of the installed zoo's tokenizer, data sets and Gradescope
wheelhouse. ``--model tiny-flan=FOLDER`` takes a model from a folder instead of building it, e.g.
one of ``lesson_robustness.py --keep``'s builds. A rerun keeps what is there, and ``make test``'s
set-up finds every model current, so it builds nothing over them.

What the suite shows on such a zoo: every lesson and grading test passes; the zoo tests that
assert the installed zoo is the pinned, recorded build fail, as they must.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from lab_on_another_build import assemble, given_builds  # noqa: E402
from zoo_numerics import SETTINGS  # noqa: E402

from course_lib.models import zoo  # noqa: E402
from course_lib.paths import cache_root  # noqa: E402

COPIED = ("data", "gradescope-wheelhouse")     # what no kernel setting changes: copied, not rebuilt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", type=Path)
    ap.add_argument("--setting", default="aten-default", choices=list(SETTINGS))
    ap.add_argument("--model", nargs="+", default=[], metavar="NAME=FOLDER", help="use this build of NAME")
    args = ap.parse_args()
    home = assemble(args.root, args.setting, list(zoo.ZOO), given_builds(args.model))
    for folder in COPIED:
        if (cache_root() / folder).exists() and not (home / folder).exists():
            shutil.copytree(cache_root() / folder, home / folder)
    print(f"\nCOURSE_HOME={home} make test")


if __name__ == "__main__":
    main()
