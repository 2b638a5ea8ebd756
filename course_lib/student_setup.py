"""What the set-up cell at the top of every student notebook runs: is this the zoo the assignment
was released on? If not, install the release's zoo pack when it can be found, else say how.

The release writes ``zoo.json`` next to the notebook (the weights' sha256 of each model the
assignment uses, the data sets' versions and, where staff published one, the pack's file name
and sha256). Every public test threshold was measured on those weights, so a student on other
ones would chase differences that are not theirs. Where no ``zoo.json`` is found (the notebook
moved, or it runs inside the grader, which checks the zoo itself) only the package is checked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FINGERPRINT = "zoo.json"
WHEEL_GLOB = "genai_course_student-*.whl"

# The released notebook's first cell. The grader and `course check` skip a cell that is exactly
# this (they check the zoo themselves); in Jupyter or Colab it installs what is missing.
SETUP_CELL = """\
# Set-up: the course package and the zoo this assignment was released on (README.md, "Set up")
import glob, subprocess, sys
try:
    import course_lib.student_setup
except ModuleNotFoundError:
    wheels = sorted(w for d in (".", "..", "../course-package", "../../course-package")
                    for w in glob.glob(f"{d}/genai_course_student-*.whl"))
    if not wheels:
        raise SystemExit("The course package is not installed and no genai_course_student-*.whl is next to "
                         "this notebook: download it from the course page (README.md, Set up)") from None
    if subprocess.call([sys.executable, "-m", "pip", "install", "--quiet", wheels[-1]]) != 0:
        raise SystemExit(f"pip could not install {wheels[-1]} (its message is above)")
    import course_lib.student_setup
course_lib.student_setup.ready()"""


def is_setup_cell(source: str) -> bool:
    return source.strip() == SETUP_CELL.strip()
PACK_ENV = "COURSE_ZOO_PACK"        # a path or URL of the pack, for JupyterHub images and Colab


class SetupError(RuntimeError):
    """The environment cannot run the assignment; the message says what to do."""

    def _render_traceback_(self):     # IPython shows this instead of a traceback
        return [f"Set-up failed: {self}"]


def _candidates(folder: Path, pack: dict) -> list[str]:
    """Where a student or an image may have put the pack: $COURSE_ZOO_PACK, then the release's
    file name in the notebook's folder, its parents, or a ``course-package`` folder beside them."""
    found = [os.environ[PACK_ENV]] if os.environ.get(PACK_ENV) else []
    name = pack.get("file")
    if name:
        for base in (folder, folder.parent, folder.parent.parent):
            for where in (base / name, base / "course-package" / name):
                if where.is_file():
                    found.append(str(where))
    return found


def ready(folder: str | Path = ".", log=print) -> dict:
    """Check (and where needed install) the zoo for the notebook in ``folder``; returns the
    fingerprint it checked, or ``{}`` when there is none to check."""
    from course_lib.models import pack as packs
    from course_lib.models import zoo

    folder = Path(folder).resolve()
    path = folder / FINGERPRINT
    if not path.is_file():
        return {}
    try:
        recorded = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise SetupError(f"{path}: unreadable ({e}); download the assignment again") from None
    problems = zoo.fingerprint_problems(recorded)
    if problems and any(not p.startswith("data set") for p in problems):
        for source in _candidates(folder, recorded.get("pack") or {}):
            log(f"installing the course's zoo from {source} ...")
            try:
                packs.install(source, (recorded.get("pack") or {}).get("sha256"))
            except packs.PackError as e:
                raise SetupError(str(e)) from None
            problems = zoo.fingerprint_problems(recorded)
            break
    if problems:
        hint = ("update the course package (`pip install -U` the wheel from the course page)"
                if all(p.startswith("data set") for p in problems) else zoo.zoo_fix(recorded))
        raise SetupError(f"this is not the zoo the assignment was released on "
                         f"({'; '.join(problems)}): {hint}")
    models = [n for n in recorded if n not in zoo.FINGERPRINT_EXTRAS and n != "tokenizer"]
    if models:
        log("set-up OK: " + ", ".join(f"{n} {recorded[n][:8]}" for n in models) + " (the release's weights)")
    return recorded
