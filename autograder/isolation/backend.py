"""Where a submission's code runs (the base every backend implements): ``docker``, ``sandbox``
(bubblewrap), ``user`` (an unprivileged uid, for hosts without namespaces) or ``local``.

Every backend starts the same program, ``python -m autograder.isolation.runner``, with the same
Python, packages, models and thread count, so a submission scores the same on each; they
differ only in what the student's code can reach:

| | docker | sandbox | user | local |
|---|---|---|---|---|
| network | none (``--network none``) | none (new net namespace) | host's | host's (unsafe) |
| hidden tests, reference, other students | not in the container | not mounted | a folder its uid cannot enter (checked) | readable (unsafe) |
| file system | read-only image, tmpfs /tmp, its own work dir | read-only binds of Python + course_lib + models, tmpfs /tmp, its own work dir | what any user may read; writes only where any user may | everything |
| user | unprivileged uid | unprivileged uid per worker slot | ``nobody`` | yours |
| memory / processes | ``--memory`` / ``--pids-limit`` | cgroup memory + pids (``RLIMIT_AS`` / ``RLIMIT_NPROC`` without cgroups) | ``RLIMIT_AS`` / ``RLIMIT_NPROC`` | ``RLIMIT_AS`` only |
| wall clock | enforced by the grader, which kills the process group / container | same | same | same |

``user`` is what a Gradescope autograder container allows (release/targets/gradescope.py);
``local`` exists for authors iterating on an assignment; it is labelled unsafe everywhere.
"""

from __future__ import annotations

import resource
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.authoring.config import Limits, load_config
from autograder.errors import CourseError
from course_lib import numerics
from course_lib.paths import cache_root

STUDENT_DIR = "/student"          # the work dir inside sandbox and container (not /work: the repo may live there)
CODE_ROOT = Path(__file__).resolve().parents[2]    # holds autograder/ and course_lib/: what runs the runner


class BackendError(CourseError, RuntimeError):
    """Grading cannot start here: no isolation backend, or a model the assignment needs is missing
    or unreadable by the submission's user."""


@dataclass
class Launch:
    """How to start one runner: the argv, its environment and the hooks around it."""
    argv: list[str]
    env: dict
    cwd: str
    preexec_fn: object = None
    cleanup: object = None             # called after the process is gone
    classify_exit: object = None       # returncode -> (reason, detail) | None
    peak_mb: object = None             # () -> the process tree's peak memory in MB | None, where the backend measures it


def grader_mounts() -> list[Path]:
    """What every isolated backend shows the submission, read-only at its host path: the
    interpreter, its packages, the course code, the models and the data (nothing else of the grader)."""
    paths = [Path(sys.base_prefix), Path(sys.prefix), CODE_ROOT / "course_lib", CODE_ROOT / "autograder",
             cache_root() / "models", cache_root() / "data"]
    return [p for p in dict.fromkeys(paths) if p.exists()]


def runner_env(home: str) -> dict:
    """A small, explicit environment: nothing of the grader's leaks into the student's process."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
        "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_EVALUATE_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": f"{home}/.hf", "MPLCONFIGDIR": f"{home}/.mpl", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "COURSE_HOME": str(cache_root()),
        "TOKENIZERS_PARALLELISM": "false",
    }
    return numerics.pin(env)      # the runner pins them too; here they also reach its child processes


def runner_args(notebook: str, limits: Limits, skip: set[int], python: str = sys.executable) -> list[str]:
    args = [python, "-m", "autograder.isolation.runner", notebook, "--threads", "1"]
    if limits.cell_timeout_s:
        args += ["--cell-timeout", str(limits.cell_timeout_s)]
    if skip:
        args += ["--skip", ",".join(str(i) for i in sorted(skip))]
    return args


def _requires(bundle_dir: Path | None):
    """The assignment's ``[requires]`` (None without a release to read it from)."""
    if bundle_dir is None or not (Path(bundle_dir) / "assignment.toml").exists():
        return None
    return load_config(Path(bundle_dir) / "assignment.toml").requires


def _refuse_missing_models(bundle_dir: Path, requires) -> None:
    from course_lib.models import zoo

    missing = [m for m in requires.models if not (zoo.path(m) / zoo.CARD).exists()]
    if missing:
        raise BackendError(f"{Path(bundle_dir) / 'assignment.toml'} needs {', '.join(missing)}, which is not "
                           f"built under {cache_root() / 'models'}: run `course models build`")


def check_models_built(bundle_dir: Path | None) -> None:
    """Refuse to grade, in one line, when a model the assignment's ``[requires]`` names is not
    built: every submission would otherwise fail the same way and score zero."""
    requires = _requires(bundle_dir)
    if requires is not None:
        _refuse_missing_models(bundle_dir, requires)


def check_readable(bundle_dir: Path | None) -> None:
    """Check the models are built, write the data sets the assignment needs, then refuse to grade
    if the student's unprivileged user could not read a model or data set it needs.

    The sandbox and the container see the cache read-only, so a data set that is not written
    before grading could never be generated inside them.

    A file written with mode 0600 (``save_pretrained`` can do that) is readable by the grader
    (root) and by ``local`` but not inside the sandbox or container, where every submission
    would then fail the same way and score zero. Checks what the assignment's ``[requires]``
    names, under the read-only mounts of ``cache_root()``.
    """
    requires = _requires(bundle_dir)
    if requires is None:
        return
    _refuse_missing_models(bundle_dir, requires)
    from course_lib import data
    from course_lib.models import zoo

    roots = [zoo.path(m) for m in requires.models] + [data.materialize(d) for d in requires.data]
    bad = []
    for root in roots:
        for p in [root, *root.rglob("*")]:
            need = 0o005 if p.is_dir() else 0o004
            if p.stat().st_mode & need != need:
                bad.append(p)
    if bad:
        shown = ", ".join(str(p) for p in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise BackendError(f"the submission's unprivileged user cannot read {shown}; make them readable "
                           f"(chmod -R a+rX {' '.join(str(r) for r in roots if r.exists())}) and grade again")


class Backend:
    name = "?"
    safe = True
    # True where the process the grader starts is only a client of the submission (docker): its
    # own memory says nothing, so the runner's report of its peak is used instead
    process_is_client = False

    def available(self) -> tuple[bool, str]:
        return True, ""

    def prepare(self, bundle_dir: Path | None = None) -> None:
        """One-time work per class (e.g. building an image); refuses a missing model."""
        check_models_built(bundle_dir)

    def launch(self, workdir: Path, limits: Limits, skip: set[int], slot: int) -> Launch:
        raise NotImplementedError


def set_rlimits(memory_mb: int | None, nproc: int | None):
    def apply():
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 30, 2 << 30))   # no file over 2 GiB
        if memory_mb:
            # address space, not resident memory: generous, because torch maps more than it touches
            cap = (memory_mb + 2048) << 20
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if nproc:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    return apply
