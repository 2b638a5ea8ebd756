"""Build zoo models in this process with the CPU kernels pinned: ``zoo.build``'s child process.

    python -m course_lib.models.build_pinned [--as-is] NAME...

``zoo.build`` starts it when its own process already computes with other kernels (torch fixes
them at its first operation). ``--as-is`` builds with whatever kernels the environment gives
instead: ``benchmarks/zoo_numerics.py`` and ``tests/test_zoo.py`` use it to show what pinning
changes.
"""

from __future__ import annotations

import sys

from course_lib import numerics


def main(argv: list[str]) -> None:
    names = [a for a in argv if a != "--as-is"]
    if len(names) == len(argv):
        numerics.pin()                 # before anything imports torch
    from course_lib.models import zoo

    for name in names:
        zoo.build_here(name)


if __name__ == "__main__":
    main(sys.argv[1:])
