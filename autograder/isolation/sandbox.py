"""``sandbox``: bubblewrap namespaces, read-only binds, an unprivileged uid per worker slot,
and a cgroup-v1 memory + pids group per submission where the host allows one."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

from autograder.isolation.backend import (CODE_ROOT, STUDENT_DIR, Backend, Launch, check_readable, grader_mounts,
                                          runner_args, runner_env, set_rlimits)

NOBODY_BASE_UID = 64000          # sandbox slot k runs as uid/gid NOBODY_BASE_UID + k
CGROUP_V1 = Path("/sys/fs/cgroup")


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
        system = ("/usr", "/lib", "/lib64", "/bin", "/etc/ssl", "/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime")
        paths = grader_mounts() + [Path(p) for p in system]
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
        env["PYTHONPATH"] = str(CODE_ROOT)
        argv += ["--clearenv"] + [a for k, v in env.items() for a in ("--setenv", k, v)]
        argv += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
        argv += runner_args("submission.ipynb", limits, skip, python=str(Path(sys.executable)))
        cgroup = _Cgroup(limits.memory_mb, limits.pids) if _Cgroup.supported() else None

        def preexec():
            if cgroup:
                cgroup.enter()
                set_rlimits(None, None)()
            else:
                set_rlimits(limits.memory_mb, limits.pids)()

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
