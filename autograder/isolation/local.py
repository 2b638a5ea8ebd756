"""``local``: a plain subprocess as the current user. UNSAFE: for authors iterating on an assignment."""

from __future__ import annotations

from autograder.isolation.backend import CODE_ROOT, Backend, Launch, set_rlimits, runner_args, runner_env


class LocalBackend(Backend):
    """A plain subprocess as the current user. UNSAFE: for authors, never for a class."""
    name, safe = "local", False

    def launch(self, workdir, limits, skip, slot):
        env = runner_env(str(workdir))
        env["PYTHONPATH"] = str(CODE_ROOT)
        return Launch(runner_args("submission.ipynb", limits, skip), env, str(workdir),
                      preexec_fn=set_rlimits(limits.memory_mb, None))
