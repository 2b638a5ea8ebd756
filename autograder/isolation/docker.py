"""The docker backend: one throw-away container per submission, on an image built offline.

No registry is reachable, so the image is built here: ``genai-course-base:bookworm`` is a
minimal Debian rootfs from ``debootstrap`` (Debian's package mirror is reachable), imported
with ``docker import`` once; or ``--base-image NAME`` on a machine that can pull one. A tiny
layer on top (``genai-course-grader``) adds the mount points and an unprivileged user.

The grader's own Python interpreter, virtualenv, course code, models and data are mounted
**read-only** at their host paths rather than copied into the image. Copying them (3 GB
with torch) cost minutes per code change; a read-only mount gives the container exactly the
same bytes, so it computes exactly what the ``local`` and ``sandbox`` backends compute, and
the student can change none of it. Nothing else of the host is visible: not the hidden
tests, not the reference, not other students' work.

Each submission runs with ``--network none``, ``--memory``/``--memory-swap``, ``--pids-limit``,
``--cpus``, a read-only root, a tmpfs ``/tmp``, all capabilities dropped, no new privileges, an
unprivileged uid, and only its own work directory writable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from autograder.isolation.backend import (CODE_ROOT, STUDENT_DIR, Backend, Launch, check_readable, grader_mounts,
                                          runner_args, runner_env)

BASE_IMAGE = "genai-course-base:bookworm"
IMAGE_REPO = "genai-course-grader"
UID = 65534
LABEL = "genai-course-grading"     # on every submission's container
DEBIAN_PACKAGES = ["ca-certificates", "libssl3", "libffi8", "libsqlite3-0", "libbz2-1.0", "liblzma5", "zlib1g",
                   "libgomp1", "libstdc++6", "libncursesw6", "libreadline8", "libuuid1", "libexpat1"]


def docker(*args: str, check: bool = True, capture: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], check=check, text=True,
                          stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE if capture else None, **kw)


def image_exists(name: str) -> bool:
    return docker("image", "inspect", name, check=False).returncode == 0


def build_base_image(log=print) -> str:
    """``genai-course-base:bookworm`` from debootstrap, unless it exists."""
    if image_exists(BASE_IMAGE):
        return BASE_IMAGE
    if not shutil.which("debootstrap"):
        raise RuntimeError("building the base image needs debootstrap (apt-get install debootstrap), "
                           "or pass --base-image with an image this machine already has")
    root = Path(tempfile.mkdtemp(prefix="course-rootfs-"))
    try:
        log("docker: debootstrap of Debian bookworm (a few minutes, once)")
        subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(DEBIAN_PACKAGES)}",
                        "bookworm", str(root), os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        done = subprocess.run(["docker", "import", "-", BASE_IMAGE], stdin=tar.stdout, text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        tar.wait()
        if done.returncode != 0:
            raise RuntimeError(f"docker import of the base image failed: {done.stderr.strip()[-500:]}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return BASE_IMAGE


class DockerBackend(Backend):
    name = "docker"
    process_is_client = True

    def __init__(self, base_image: str | None = None):
        self.base_image = base_image
        self.image: str | None = None

    def available(self):
        if not shutil.which("docker"):
            return False, "the docker client is not installed (apt-get install docker.io)"
        r = docker("info", "--format", "{{.ServerVersion}}", check=False, timeout=20)
        if r.returncode != 0:
            why = (r.stderr or "").strip().splitlines()[-1:] or ["no answer"]
            return False, f"no docker daemon answers (start dockerd): {why[0]}"
        return True, ""

    def prepare(self, bundle_dir: Path | None = None, log=print) -> str:
        """Build (or reuse) the grading image: the base plus mount points and a user."""
        check_readable(bundle_dir)
        if self.image:
            return self.image
        # containers of a grader that was killed (kill -9 skips `docker rm`): stopped, hours old
        docker("container", "prune", "-f", "--filter", f"label={LABEL}", "--filter", "until=6h", check=False)
        base = self.base_image or build_base_image(log)
        dirs = sorted({str(a) for p in grader_mounts() for a in [p, *p.parents] if a != Path("/")})
        recipe = "\n".join([f"FROM {base}",
                            f"RUN mkdir -p {' '.join(dirs)} {STUDENT_DIR} && chmod 755 {' '.join(dirs)}",
                            f"USER {UID}:{UID}", f"WORKDIR {STUDENT_DIR}"]) + "\n"
        tag = f"{IMAGE_REPO}:{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"
        if not image_exists(tag):
            log(f"docker: building {tag}")
            r = subprocess.run(["docker", "build", "-q", "-t", tag, "-"], input=recipe, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, DOCKER_BUILDKIT="0"))
            if r.returncode != 0:
                raise RuntimeError(f"docker build failed: {r.stderr[-2000:]}")
        self.image = tag
        return tag

    def launch(self, workdir, limits, skip, slot):
        image = self.prepare()
        os.chmod(workdir, 0o777)           # the container's uid writes here; the grader reads after
        # only the notebook the grader just wrote: chmod follows symbolic links, and on a restart
        # the work dir holds whatever the student left there (a link to /etc/passwd, say)
        notebook = workdir / "submission.ipynb"
        if not notebook.is_symlink():
            os.chmod(notebook, 0o644)
        name = f"course-grade-{uuid.uuid4().hex[:12]}"
        env = runner_env(STUDENT_DIR)
        env["PYTHONPATH"] = str(CODE_ROOT)
        argv = ["docker", "run", "-i", "--name", name, "--label", LABEL, "--network", "none",
                "--memory", f"{limits.memory_mb}m", "--memory-swap", f"{limits.memory_mb}m",
                "--pids-limit", str(limits.pids), "--cpus", str(limits.cpus),
                "--read-only", "--tmpfs", "/tmp:rw,size=512m,mode=1777",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", f"{UID}:{UID}",
                "-v", f"{workdir}:{STUDENT_DIR}", "-w", STUDENT_DIR, "--log-driver", "none"]
        for p in grader_mounts():
            argv += ["-v", f"{p}:{p}:ro"]
        for k, v in env.items():
            argv += ["-e", f"{k}={v}"]
        argv += [image] + runner_args("submission.ipynb", limits, skip)

        oom_killed = []

        def classify(code):
            r = docker("inspect", "-f", "{{json .State}}", name, check=False)
            if r.returncode == 0:
                state = json.loads(r.stdout)
                if state.get("OOMKilled"):
                    oom_killed.append(True)
                    return "out-of-memory", f"the notebook used more than its {limits.memory_mb} MB of memory"
            return None

        def cleanup():
            docker("rm", "-f", name, check=False)

        launch = Launch(argv, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(workdir),
                        cleanup=cleanup, classify_exit=classify)
        # a killed runner reports no peak; the container's cgroup is gone with it: it reached the limit
        launch.peak_mb = lambda: float(limits.memory_mb) if oom_killed else None
        return launch
