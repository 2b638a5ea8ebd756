"""The student package: what students install, built as a wheel next to the zoo pack.

``genai-course-student`` is a distribution of its own, not an extra of ``genai-course``: an extra
can add dependencies but not leave modules out, and the staff distribution holds the grader,
the release pipeline and the master-notebook parser. The student wheel holds ``course_lib``
(what the notebooks import, the zoo's loaders and ``course models install``) and the few grader
modules ``course check`` and ``course submit`` run (:data:`STUDENT_FILES`); its ``course`` is
``autograder.cli.student_main``. No master notebook, hidden test or reference is in it
(``tests/test_student_package.py`` asserts it).

Its dependencies are the staff ones less the staff-only libraries, with exact pins relaxed to
lower bounds: students run on their own Python (3.11 to 3.13) and torch build (Colab's is
preinstalled, CUDA included; forcing the grader's CPU wheel would replace gigabytes), while the
grader stays pinned and grades every submission on the pinned stack and the release's zoo.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from autograder.release.errors import ReleaseError
from course_lib.paths import repo_root

DISTRIBUTION = "genai-course-student"
# the grader modules `course check`, `course submit` and `course models` import, and the packages' __init__
STUDENT_FILES = [
    "autograder/__init__.py", "autograder/errors.py", "autograder/version.py",
    "autograder/student/*.py",
    "autograder/isolation/__init__.py", "autograder/isolation/execution.py",
    "autograder/cli/__init__.py", "autograder/cli/base.py", "autograder/cli/student.py",
    "autograder/cli/models.py", "autograder/cli/student_main.py",
    "autograder/service/__init__.py", "autograder/service/client.py",     # course submit --to URL
]
STAFF_ONLY = {"nbgrader", "sqlalchemy", "jinja2", "copydetect", "dask",      # release, gradebook and reports,
              "fastapi", "uvicorn", "python-multipart", "itsdangerous", "argon2-cffi"}   # and the web service
EPOCH = "315532800"     # 1980-01-01, the earliest time a zip can hold: same wheel bytes from the same files


def _requirement_name(req: str) -> str:
    return re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].strip().lower()


def student_dependencies(pyproject: dict) -> list[str]:
    out = []
    for req in pyproject["project"]["dependencies"]:
        if _requirement_name(req) in STAFF_ONLY:
            continue
        out.append(req.replace("==", ">=") if _requirement_name(req) != "torch" else "torch>=2.4")
    return out


def _pyproject(staff: dict) -> str:
    deps = "".join(f'    "{d}",\n' for d in student_dependencies(staff))
    return f'''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{DISTRIBUTION}"
version = "{staff["project"]["version"]}"
description = "The GenAI course's student tools: course_lib, course check, course submit, the zoo"
requires-python = ">=3.11"
dependencies = [
{deps}]

[project.scripts]
course = "autograder.cli.student_main:main"

[tool.setuptools.packages.find]
include = ["course_lib*", "autograder*"]

[tool.setuptools.package-data]
"course_lib.metrics" = ["*/*.py"]
"course_lib.models" = ["*.json"]
'''


def _stage(root: Path, staging: Path) -> None:
    for f in sorted((root / "course_lib").rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts and f.suffix in (".py", ".json"):
            dest = staging / f.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
    for pattern in STUDENT_FILES:
        matches = sorted(root.glob(pattern))
        if not matches:
            raise ReleaseError(f"{root / pattern}: missing; the student package needs it")
        for f in matches:
            dest = staging / f.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)


def build_wheel(out_dir: Path, root: Path | None = None) -> Path:
    """Build the student wheel into ``out_dir`` (replacing an older one); returns its path."""
    root = root or repo_root()
    staff = tomllib.loads((root / "pyproject.toml").read_text())

    def stage(staging: Path) -> None:
        _stage(root, staging)
        (staging / "pyproject.toml").write_text(_pyproject(staff))

    return _wheel(out_dir, stage, "genai_course_student-*.whl", "student")


def build_grader_wheel(out_dir: Path, root: Path | None = None) -> Path:
    """The staff distribution (``autograder`` whole, ``course_lib``, the pinned dependencies) as a
    wheel in ``out_dir``: what a Gradescope autograder zip installs (release/targets/gradescope.py)."""
    root = root or repo_root()

    def stage(staging: Path) -> None:
        for package in ("course_lib", "autograder"):
            for f in sorted((root / package).rglob("*")):
                if f.is_file() and "__pycache__" not in f.parts and f.suffix in (".py", ".json", ".html", ".css"):
                    dest = staging / f.relative_to(root)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(f, dest)
        shutil.copyfile(root / "pyproject.toml", staging / "pyproject.toml")

    return _wheel(out_dir, stage, "genai_course-*.whl", "grader")


def _wheel(out_dir: Path, stage, old_glob: str, kind: str) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{kind}-package-") as tmp:
        staging, wheels = Path(tmp) / "src", Path(tmp) / "wheels"
        staging.mkdir()
        stage(staging)
        # setuptools is the build backend of the staff package too; no isolation: no download
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                               "--quiet", "-w", str(wheels), str(staging)], capture_output=True, text=True,
                              env=dict(os.environ, SOURCE_DATE_EPOCH=EPOCH), cwd=tmp)
        built = sorted(wheels.glob("*.whl"))
        if done.returncode != 0 or len(built) != 1:
            raise ReleaseError(f"the {kind} wheel did not build: {(done.stderr or done.stdout).strip()[-800:]}")
        for old in out_dir.glob(old_glob):
            old.unlink()
        final = out_dir / built[0].name
        shutil.move(str(built[0]), final)
    return final
