"""``course release --gradescope``: a Gradescope autograder zip that grades with this engine.

Gradescope builds an image by running the zip's ``setup.sh`` once (as root, in
``/autograder/source``), then for each submission runs ``/autograder/run_autograder`` with the
upload in ``/autograder/submission`` and shows ``/autograder/results/results.json``. The zip:

``setup.sh``          Python 3.11 (apt where the image lacks it), a venv at ``/autograder/venv``
                      with torch's CPU wheel, the exact versions this grader runs
                      (``requirements.txt``) and the course's own wheel; the zoo pack installed
                      into ``/autograder/zoo`` and checked; ``/autograder/source`` made private.
``run_autograder``    ``course gradescope-run``: the student's notebook as ``nobody`` (the
                      ``user`` backend: these containers allow no namespaces), the tests in the
                      grading process as root, against the release's recorded reference.
``bundle/``           ``dist/<id>/autograder`` as released: tests, reference, zoo fingerprint.
``zoo-<sha>.tar.gz``  the models and data sets the reference was recorded on (``course models pack``).

Only the package registries are needed (PyPI and PyTorch's CPU index; ``PIP_INDEX_URL``,
``PIP_FIND_LINKS``/``PIP_NO_INDEX`` and ``TORCH_INDEX_URL`` point them elsewhere, as the tests do
with the network off). No hub is contacted: the models come in the zip.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder.authoring.master import Assignment
from autograder.release.errors import ReleaseError

DISTRIBUTION = "genai-course"
# staff-only libraries: releasing (otter, nbgrader), similarity flags, cluster grading, the web service
NOT_FOR_GRADING = {"otter-grader", "nbgrader", "copydetect", "dask", "fastapi", "uvicorn", "python-multipart",
                   "itsdangerous", "argon2-cffi"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)        # the same files give the same zip bytes
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the grading image (see README.md in this zip).
set -euo pipefail
cd "$(dirname "$0")"
PY="${{COURSE_PYTHON:-}}"
if [ -z "$PY" ]; then
  if command -v python3.11 >/dev/null; then PY=python3.11
  else
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3.11 python3.11-venv
    PY=python3.11
  fi
fi
"$PY" -m venv /autograder/venv
PIP="/autograder/venv/bin/python -m pip --disable-pip-version-check --no-input"
# the grader's torch is the CPU wheel: PyPI's default Linux wheel pulls gigabytes of CUDA
$PIP install --no-deps "torch=={torch}" --index-url "${{TORCH_INDEX_URL:-{torch_index}}}"
$PIP install -r requirements.txt
$PIP install --no-deps {wheel}
COURSE_HOME=/autograder/zoo /autograder/venv/bin/course models install {pack} --sha256 {pack_sha256}
chmod -R a+rX /autograder/venv /autograder/zoo
# the hidden tests and the reference: only the grading process (root) may read them
chmod 700 /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as root.
export COURSE_HOME=/autograder/zoo
exec /autograder/venv/bin/course gradescope-run /autograder/source/bundle /autograder/submission \\
  /autograder/results/results.json
"""


def grader_requirements() -> list[str]:
    """``name==version`` for everything grading imports: this distribution's dependencies (less
    the staff-only ones) and all they need, at the versions installed here, so Gradescope grades
    on this grader's stack. torch's line carries no local label: the ``+cpu`` wheel ``setup.sh``
    installs first satisfies it, and the pin stops anything from replacing it with PyPI's."""
    pins: dict[str, str] = {}
    todo = [Requirement(r) for r in metadata.requires(DISTRIBUTION) or []]
    todo = [r for r in todo if canonicalize_name(r.name) not in NOT_FOR_GRADING
            and not (r.marker and not r.marker.evaluate({"extra": ""}))]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in pins:
            continue
        dist = metadata.distribution(name)
        pins[name] = dist.version
        for text in dist.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in (req.extras or {""})):
                todo.append(sub)
    return [f"{n}=={v.split('+')[0]}" for n, v in sorted(pins.items())]


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_gradescope(assignment: Assignment, autograder_dir: Path, folder: Path) -> Path:
    """Write ``folder/<id>-gradescope.zip`` from the released ``autograder_dir``; return its path."""
    from autograder.release.student_package import build_grader_wheel
    from course_lib.models import pack

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-gradescope-") as tmp:
        wheel = build_grader_wheel(Path(tmp))
        try:
            zoo = pack.pack(Path(tmp) / "zoo.tar.gz", list(assignment.config.requires.models) or None)
        except pack.PackError as e:
            raise ReleaseError(f"{assignment.notebook_path}: the Gradescope zip needs the zoo: {e}") from None
        pack_name = f"zoo-{zoo.sha256[:12]}.tar.gz"
        out = folder / f"{assignment.id}-gradescope.zip"
        with zipfile.ZipFile(out, "w") as zf:
            _add(zf, "setup.sh", SETUP_SH.format(torch=metadata.version("torch").split("+")[0], torch_index=TORCH_INDEX,
                                                 wheel=wheel.name, pack=pack_name, pack_sha256=zoo.sha256).encode(),
                 executable=True)
            _add(zf, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
            _add(zf, "requirements.txt", ("\n".join(grader_requirements()) + "\n").encode())
            _add(zf, wheel.name, wheel.read_bytes())
            _add(zf, pack_name, zoo.path.read_bytes())
            for f in sorted(Path(autograder_dir).rglob("*")):
                if f.is_file():
                    _add(zf, f"bundle/{f.relative_to(autograder_dir).as_posix()}", f.read_bytes())
            _add(zf, "gradescope.json", json.dumps({
                "assignment": assignment.id, "points": assignment.total_points, "hidden_tests": assignment.config.gradescope_hidden,
                "zoo_pack": {"file": pack_name, "sha256": zoo.sha256}}, indent=1).encode())
    return out
