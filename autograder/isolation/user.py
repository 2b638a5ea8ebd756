"""``user``: the submission as an unprivileged uid, with file permissions as the boundary.

For hosts that allow no namespaces, above all Gradescope's autograder containers (root, but
without the capabilities bubblewrap needs). The runner starts through ``setpriv`` as ``nobody``
with no capabilities, no new privileges, rlimits on memory, processes and file size, and a
work directory of its own; the grading process (root) keeps the hidden tests and the reference
in a folder ``nobody`` cannot enter, and :meth:`UserBackend.prepare` refuses to grade when it
could. Weaker than ``sandbox``: the student's code shares the network and sees the rest of the
file system as any user would, so it is only as safe as the host's permissions.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

from autograder.isolation.backend import (CODE_ROOT, Backend, BackendError, Launch, check_readable, runner_args,
                                          runner_env, set_rlimits)

NOBODY_UID = 65534


def readable_by_others(folder: Path) -> bool:
    """Whether a user with no special rights could read files in ``folder``: every folder from
    ``/`` down to it lets others through, and it lets others list it."""
    folder = Path(folder).resolve()
    for d in [*reversed(folder.parents), folder]:
        if not d.stat().st_mode & stat.S_IXOTH:
            return False
    return bool(folder.stat().st_mode & stat.S_IROTH)


class UserBackend(Backend):
    """setpriv to ``nobody``; rlimits; the hidden tests protected by their folder's permissions."""
    name = "user"

    def available(self):
        if not shutil.which("setpriv"):
            return False, "setpriv (util-linux) is not installed"
        if os.geteuid() != 0:
            return False, "the user backend drops to an unprivileged uid and needs to start as root"
        return True, ""

    def prepare(self, bundle_dir: Path | None = None) -> None:
        check_readable(bundle_dir)
        if bundle_dir is not None and readable_by_others(Path(bundle_dir)):
            raise BackendError(f"{bundle_dir} (the hidden tests and the reference) is readable by the submission's "
                               f"user; make it private (chmod 700 {bundle_dir}) and grade again")

    def launch(self, workdir, limits, skip, slot):
        # the grader's temporary folder: passable (not listable) so the runner can reach its work dir
        os.chmod(workdir.parent, 0o711)
        os.chown(workdir, NOBODY_UID, NOBODY_UID, follow_symlinks=False)
        os.chown(workdir / "submission.ipynb", NOBODY_UID, NOBODY_UID, follow_symlinks=False)
        env = runner_env(str(workdir))
        env["PYTHONPATH"] = str(CODE_ROOT)
        argv = ["setpriv", f"--reuid={NOBODY_UID}", f"--regid={NOBODY_UID}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]
        argv += runner_args("submission.ipynb", limits, skip, python=str(Path(sys.executable)))
        return Launch(argv, env, str(workdir), preexec_fn=set_rlimits(limits.memory_mb, limits.pids))
