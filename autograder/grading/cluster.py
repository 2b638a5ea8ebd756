"""Grade a class on a Dask cluster: ``course grade ID SUBMISSIONS --cluster tcp://HOST:8786``.

One task per submission. A worker grades it with its own isolating backend (the one named on
the command line, made on the worker) and returns the result; this process stays the only
writer of ``results/`` and the gradebook (``class_grading.grade_class``'s ``finish``), so
resuming a killed run, skipping unchanged work and overrides behave as on one machine.

Dask rather than a job system of our own: plain ``dask scheduler`` / ``dask worker`` processes
on any machines, and the same client code on Slurm (dask-jobqueue) or Kubernetes
(dask-kubernetes). What it gives for free is what a class needs: a worker that dies mid-task
has its task rerun elsewhere, and a task that takes down ``allowed-failures`` workers (Dask's
setting, 3 by default) fails with ``KilledWorker`` instead of being retried forever; that
submission is recorded as a ``crash``.

Workers get the release's autograder bundle as bytes, named by their sha256, and unpack it
into a cache only after checking the hash. A worker whose zoo is not the one the release was
recorded on (weights hashes) refuses the task, naming the model, rather than grade against
other weights; the class's other grades stand.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import tarfile
import tempfile
import threading
import time
from pathlib import Path

from autograder.errors import CourseError

BUNDLE_CACHE = "course-bundles"
_prepared: set[tuple[str, str]] = set()        # (bundle sha, backend) prepared in this worker process
_lock = threading.Lock()


class ClusterError(CourseError):
    """The cluster cannot be reached or used, with what to do."""


def pack_bundle(folder: Path) -> bytes:
    """The bundle folder as a tar whose bytes depend only on its files (sorted, no times or owners)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for f in sorted(Path(folder).rglob("*")):
            if f.is_file():
                info = tarfile.TarInfo(f.relative_to(folder).as_posix())
                info.size, info.mtime, info.mode = f.stat().st_size, 0, 0o644
                with open(f, "rb") as fh:
                    tar.addfile(info, fh)
    return buf.getvalue()


def unpack_bundle(data: bytes, sha256: str) -> Path:
    """The bundle in this worker's cache, after checking ``data`` is the bundle named ``sha256``."""
    got = hashlib.sha256(data).hexdigest()
    if got != sha256:
        raise ClusterError(f"the release bundle arrived as {got[:12]}..., not the {sha256[:12]}... sent; not graded")
    root = Path(tempfile.gettempdir()) / BUNDLE_CACHE
    final = root / sha256
    if (final / "tests.json").is_file():
        return final
    staging = Path(tempfile.mkdtemp(prefix=f".{sha256[:12]}-", dir=_mkdir(root)))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and not m.name.startswith(("/", "..")) and
                   ".." not in Path(m.name).parts]
        tar.extractall(staging, members=members, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    try:
        os.replace(staging, final)
    except OSError:                 # another task of this worker unpacked it first
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
    return final


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def grade_task(bundle_data: bytes, bundle_sha: str, backend_name: str | None, student: str, notebook: bytes) -> dict:
    """Run on a worker: grade one notebook; the result carries the worker and its seconds."""
    from autograder.grading.bundle import Bundle, check_same_zoo
    from autograder.grading.engine import grade_notebook
    from autograder.isolation.registry import get_backend

    start = time.perf_counter()
    folder = unpack_bundle(bundle_data, bundle_sha)
    check_same_zoo(folder)          # raises, naming the model, on other weights
    bundle = Bundle.load(folder)
    backend = get_backend(backend_name)
    key = (bundle_sha, backend.name)
    with _lock:
        if key not in _prepared:
            backend.prepare(bundle.folder)
            _prepared.add(key)
    result = grade_notebook(bundle, notebook, backend, slot=_slot(), student=student)
    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        worker = "?"
    result["grading"] = {"worker": worker, "seconds": round(time.perf_counter() - start, 2)}
    return result


_slots = threading.local()
_next_slot = itertools.count()


def _slot() -> int:
    """This worker thread's slot, 0, 1, ... (the sandbox runs slot k as its own uid)."""
    if not hasattr(_slots, "n"):
        with _lock:
            _slots.n = next(_next_slot)
    return _slots.n


def connect(address: str):
    """A Dask client for ``address``: ``tcp://host:port``, or ``local:N`` (a LocalCluster of N
    single-threaded worker processes on this machine)."""
    from distributed import Client, LocalCluster

    try:
        if address.startswith("local:"):
            n = int(address.split(":", 1)[1])
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
            return Client(cluster)
        return Client(address, timeout="20s")
    except ValueError:
        raise ClusterError(f"--cluster {address!r}: give tcp://HOST:PORT or local:N") from None
    except OSError as e:
        raise ClusterError(f"--cluster {address}: no Dask scheduler answers there ({e}); start one with "
                           "`dask scheduler` and workers with `dask worker ADDRESS`") from None


def grade_on_cluster(address: str, bundle, jobs: list, backend_name: str | None, finish) -> None:
    """Submit one task per job to the cluster at ``address``; ``finish(sub, result)`` each result
    here, as it arrives. A task that kills its workers becomes a ``crash`` result; a worker that
    refuses (another zoo) or a grader bug leaves that student ungraded, named, for a rerun."""
    from distributed import as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    from autograder.grading.results import grading_result

    client = connect(address)
    try:
        if not client.scheduler_info().get("workers"):
            try:
                client.wait_for_workers(1, timeout=60)
            except TimeoutError:
                raise ClusterError(f"--cluster {address}: the scheduler has no worker after 60 s; start some with "
                                   f"`dask worker {address}`") from None
        data = pack_bundle(bundle.folder)
        sha = hashlib.sha256(data).hexdigest()
        shipped = client.scatter(data, broadcast=True)
        by_future = {}
        for sid, sub, notebook, digest in jobs:
            fut = client.submit(grade_task, shipped, sha, backend_name, sid, notebook,
                                key=f"grade-{bundle.assignment_id}-{sid}-{digest[:16]}", pure=False)
            by_future[fut] = (sid, sub)
        for fut in as_completed(by_future):
            sid, sub = by_future[fut]
            try:
                finish(sub, fut.result())
            except KilledWorker as e:
                finish(sub, grading_result(
                    bundle.assignment_id, bundle.questions, sid, [], exit_reason="crash",
                    exit_detail=f"the grading worker died each time it ran this notebook ({e.last_worker.address if getattr(e, 'last_worker', None) else 'several workers'}); "
                                "recorded as a crash after Dask's allowed failures"))
            except (CourseError, FutureCancelledError) as e:
                finish(sub, f"{sid}: not graded on the cluster: {e}; a rerun retries it")
            except Exception as e:  # noqa: BLE001 - a grader bug on one submission must not stop the class
                finish(sub, f"{sid}: the grader failed on its worker ({type(e).__name__}: {e}); a rerun retries it")
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None and address.startswith("local:"):
            cluster.close()
