"""The backends by name, and the safest one this machine offers."""

from __future__ import annotations

from autograder.isolation.backend import Backend, BackendError
from autograder.isolation.docker import DockerBackend
from autograder.isolation.local import LocalBackend
from autograder.isolation.sandbox import SandboxBackend
from autograder.isolation.user import UserBackend


class UnknownBackend(BackendError, ValueError):
    """``--backend`` names no backend."""


BACKENDS = {"docker": DockerBackend, "sandbox": SandboxBackend, "user": UserBackend, "local": LocalBackend}


def get_backend(name: str | None) -> Backend:
    """The named backend, or the safest available: docker, then sandbox (never ``user`` or ``local``
    by default: ``user`` is for hosts without namespaces and is chosen by name)."""
    order = [name] if name else ["docker", "sandbox"]
    reasons = []
    for candidate in order:
        if candidate not in BACKENDS:
            raise UnknownBackend(f"unknown backend {candidate!r}; choose one of {', '.join(sorted(BACKENDS))}")
        backend = BACKENDS[candidate]()
        ok, why = backend.available()
        if ok:
            return backend
        reasons.append(f"{candidate}: {why}")
    raise BackendError("no isolation backend is available (" + "; ".join(reasons) +
                       "); for authoring only, `--backend local` runs submissions unsandboxed")
