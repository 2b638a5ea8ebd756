"""Where a submission's code runs: ``docker``, ``sandbox`` (bubblewrap) or ``local``.

Every backend starts the same program, ``python -m autograder.runner``, with the same
Python, packages, models and thread count, so a submission scores the same on each; they
differ only in what the student's code can reach:

| | docker | sandbox | local |
|---|---|---|---|
| network | none (``--network none``) | none (new net namespace) | host's (unsafe) |
| hidden tests, reference, other students | not in the container | not mounted | readable (unsafe) |
| file system | read-only image, tmpfs /tmp, its own work dir | read-only binds of Python + course_lib + models, tmpfs /tmp, its own work dir | everything |
| user | unprivileged uid | unprivileged uid per worker slot | yours |
| memory / processes | ``--memory`` / ``--pids-limit`` | cgroup memory + pids (``RLIMIT_AS`` / ``RLIMIT_NPROC`` without cgroups) | ``RLIMIT_AS`` only |
| wall clock | enforced by the grader, which kills the process group / container | same | same |

``local`` exists for authors iterating on an assignment; it is labelled unsafe everywhere.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from course_lib import numerics
from course_lib.paths import cache_root

NOBODY_BASE_UID = 64000          # sandbox slot k runs as uid/gid NOBODY_BASE_UID + k
STUDENT_DIR = "/student"          # the work dir inside sandbox and container (not /work: the repo may live there)
CGROUP_V1 = Path("/sys/fs/cgroup")


@dataclass
class Limits:
    time_s: float
    memory_mb: int
    pids: int
    cpus: float
    cell_timeout_s: float | None


@dataclass
class Launch:
    """How to start one runner: the argv, its environment and the hooks around it."""
    argv: list[str]
    env: dict
    cwd: str
    preexec_fn: object = None
    cleanup: object = None             # called after the process is gone
    classify_exit: object = None       # returncode -> (reason, detail) | None


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
    args = [python, "-m", "autograder.runner", notebook, "--threads", "1"]
    if limits.cell_timeout_s:
        args += ["--cell-timeout", str(limits.cell_timeout_s)]
    if skip:
        args += ["--skip", ",".join(str(i) for i in sorted(skip))]
    return args


def check_readable(bundle_dir: Path | None) -> None:
    """Write the data sets the assignment needs, then refuse to grade if a model is missing or
    the student's unprivileged user could not read a model or data set it needs.

    The sandbox and the container see the cache read-only, so a data set that is not written
    before grading could never be generated inside them.

    A file written with mode 0600 (``save_pretrained`` can do that) is readable by the grader
    (root) and by ``local`` but not inside the sandbox or container, where every submission
    would then fail the same way and score zero. Checks what the assignment's ``[requires]``
    names, under the read-only mounts of ``cache_root()``.
    """
    if bundle_dir is None or not (Path(bundle_dir) / "assignment.toml").exists():
        return
    from autograder.assignment import load_config

    from course_lib import data
    from course_lib.models import zoo

    requires = load_config(Path(bundle_dir) / "assignment.toml").requires
    missing = [m for m in requires.models if not (zoo.path(m) / zoo.CARD).exists()]
    if missing:
        raise RuntimeError(f"{Path(bundle_dir) / 'assignment.toml'} needs {', '.join(missing)}, which is not "
                           f"built under {cache_root() / 'models'}: run `course models build`")
    roots = [zoo.path(m) for m in requires.models] + [data.materialize(d) for d in requires.data]
    bad = []
    for root in roots:
        for p in [root, *root.rglob("*")]:
            need = 0o005 if p.is_dir() else 0o004
            if p.stat().st_mode & need != need:
                bad.append(p)
    if bad:
        shown = ", ".join(str(p) for p in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise RuntimeError(f"the submission's unprivileged user cannot read {shown}; make them readable "
                           f"(chmod -R a+rX {' '.join(str(r) for r in roots if r.exists())}) and grade again")


class Backend:
    name = "?"
    safe = True

    def available(self) -> tuple[bool, str]:
        return True, ""

    def prepare(self, bundle_dir: Path) -> None:
        """One-time work per class (e.g. building an image)."""

    def launch(self, workdir: Path, limits: Limits, skip: set[int], slot: int) -> Launch:
        raise NotImplementedError


def _set_rlimits(memory_mb: int | None, nproc: int | None):
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


class LocalBackend(Backend):
    """A plain subprocess as the current user. UNSAFE: for authors, never for a class."""
    name, safe = "local", False

    def launch(self, workdir, limits, skip, slot):
        env = runner_env(str(workdir))
        env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
        return Launch(runner_args("submission.ipynb", limits, skip), env, str(workdir),
                      preexec_fn=_set_rlimits(limits.memory_mb, None))


class _Cgroup:
    """A cgroup-v1 memory + pids group for one process tree (when the host lets us make one)."""

    def __init__(self, memory_mb: int, pids: int):
        self.name = f"course-{uuid.uuid4().hex[:12]}"
        self.dirs = []
        for controller, settings in (("memory", {"memory.limit_in_bytes": memory_mb << 20,
                                                  "memory.swappiness": 0}),
                                     ("pids", {"pids.max": pids})):
            d = CGROUP_V1 / controller / self.name
            d.mkdir()
            self.dirs.append(d)
            for key, value in settings.items():
                try:
                    (d / key).write_text(str(value))
                except OSError:
                    if key != "memory.swappiness":
                        raise

    @staticmethod
    def sweep_stale(min_age_s: float = 6 * 3600) -> None:
        """Remove empty groups left by a grader that was killed (``kill -9`` skips clean-up).

        Only groups made more than ``min_age_s`` ago (longer than any grading's time budget):
        a group another grader has just made, or whose process has just ended, is empty for a
        moment and still needed. A group with processes cannot be removed (the kernel refuses).
        """
        import time

        for controller in ("memory", "pids"):
            for d in (CGROUP_V1 / controller).glob("course-*"):
                try:
                    if time.time() - d.stat().st_mtime > min_age_s and not (d / "cgroup.procs").read_text().strip():
                        d.rmdir()
                except OSError:
                    pass

    @staticmethod
    def supported() -> bool:
        return all(os.access(CGROUP_V1 / c, os.W_OK) for c in ("memory", "pids"))

    def enter(self) -> None:
        for d in self.dirs:
            (d / "cgroup.procs").write_text(str(os.getpid()))

    def oom_killed(self) -> bool:
        try:
            return int((self.dirs[0] / "memory.failcnt").read_text()) > 0 and \
                "oom_kill 0" not in (self.dirs[0] / "memory.oom_control").read_text()
        except OSError:
            return False

    def peak_mb(self) -> float | None:
        try:
            return int((self.dirs[0] / "memory.max_usage_in_bytes").read_text()) / 2**20
        except OSError:
            return None

    def remove(self) -> None:
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except OSError:
                    import time
                    time.sleep(0.05)


class SandboxBackend(Backend):
    """bubblewrap: new pid, net, ipc and uts namespaces; read-only binds; an unprivileged uid."""
    name = "sandbox"

    def available(self):
        if not shutil.which("bwrap"):
            return False, "bubblewrap is not installed (apt-get install bubblewrap)"
        if not shutil.which("setpriv"):
            return False, "setpriv (util-linux) is not installed"
        if os.geteuid() != 0:
            return False, "the sandbox backend drops to a per-worker uid and needs to start as root"
        return True, ""

    def prepare(self, bundle_dir: Path | None = None) -> None:
        check_readable(bundle_dir)
        if _Cgroup.supported():
            _Cgroup.sweep_stale()

    def read_only_paths(self) -> list[Path]:
        code = Path(__file__).resolve().parent.parent
        paths = [Path(sys.base_prefix), Path(sys.prefix), code / "course_lib", code / "autograder",
                 cache_root() / "models", cache_root() / "data"]
        paths += [Path(p) for p in ("/usr", "/lib", "/lib64", "/bin", "/etc/ssl", "/etc/alternatives",
                                    "/etc/ld.so.cache", "/etc/localtime")]
        return [p for p in dict.fromkeys(paths) if p.exists()]

    def launch(self, workdir, limits, skip, slot):
        uid = NOBODY_BASE_UID + slot
        # only what the grader made: never follow what the student may have left in the work dir
        # (a symbolic link to a file of this machine, on a restart)
        os.chown(workdir, uid, uid, follow_symlinks=False)
        os.chown(workdir / "submission.ipynb", uid, uid, follow_symlinks=False)
        argv = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grader",
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        binds = self.read_only_paths()
        # bwrap makes missing parents 0700 (root only); the student's uid must traverse them
        parents = sorted({a for p in binds for a in p.parents if a != Path("/")} - set(binds), key=lambda a: len(a.parts))
        for d in parents:
            argv += ["--perms", "0755", "--dir", str(d)]
        for p in binds:
            argv += ["--ro-bind", str(p), str(p)]
        argv += ["--bind", str(workdir), STUDENT_DIR, "--chdir", STUDENT_DIR]
        env = runner_env(STUDENT_DIR)
        code = Path(__file__).resolve().parent.parent
        env["PYTHONPATH"] = str(code)
        argv += ["--clearenv"] + [a for k, v in env.items() for a in ("--setenv", k, v)]
        argv += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
        argv += runner_args("submission.ipynb", limits, skip, python=str(Path(sys.executable)))
        cgroup = _Cgroup(limits.memory_mb, limits.pids) if _Cgroup.supported() else None

        def preexec():
            if cgroup:
                cgroup.enter()
                _set_rlimits(None, None)()
            else:
                _set_rlimits(limits.memory_mb, limits.pids)()

        def classify(code):
            if cgroup and cgroup.oom_killed():
                return "out-of-memory", f"the notebook used more than its {limits.memory_mb} MB of memory"
            return None

        launch = Launch(argv, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(workdir),
                        preexec_fn=preexec, classify_exit=classify)
        if cgroup:
            launch.cleanup = cgroup.remove
            launch.peak_mb = cgroup.peak_mb
        return launch


BACKENDS = {"local": LocalBackend, "sandbox": SandboxBackend}


def get_backend(name: str | None) -> Backend:
    """The named backend, or the safest available: docker, then sandbox (never local by default)."""
    from autograder import docker_backend

    BACKENDS.setdefault("docker", docker_backend.DockerBackend)
    order = [name] if name else ["docker", "sandbox"]
    reasons = []
    for candidate in order:
        if candidate not in BACKENDS:
            raise ValueError(f"unknown backend {candidate!r}; choose one of {', '.join(sorted(BACKENDS))}")
        backend = BACKENDS[candidate]()
        ok, why = backend.available()
        if ok:
            return backend
        reasons.append(f"{candidate}: {why}")
    raise RuntimeError("no isolation backend is available (" + "; ".join(reasons) +
                       "); for authoring only, `--backend local` runs submissions unsandboxed")
