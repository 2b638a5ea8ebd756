"""Grade a class: every submission in a folder, in parallel, resumable, into the gradebook.

Each finished submission is written twice, in this order: ``results/<id>/<student>.json``
(atomically, by rename) and its gradebook row (one transaction). The gradebook is the
source of truth: a submission whose row exists with the same notebook hash is skipped on a
rerun, so ``kill -9`` followed by a rerun grades every submission exactly once.
"""

from __future__ import annotations

import hashlib
import json
import queue
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from autograder.isolation.backend import Backend
from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.grading.results import without_results, without_staff_detail
from autograder.gradebook import Gradebook
from course_lib.paths import atomic_write_text


@dataclass
class ClassSummary:
    graded: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)          # unchanged since the last run
    superseded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)            # the grader itself failed: not recorded, retried on a rerun
    seconds: float = 0.0


def _file_digest(path: Path) -> str | None:
    """The hash of a submission file whose notebook could not be read (a broken zip)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else None
    except OSError:
        return None


def save_result(results_dir: Path, result: dict) -> Path:
    path = results_dir / f"{result['student']}.json"
    atomic_write_text(path, json.dumps(result, indent=2, sort_keys=True))
    return path


def received_time(sub, deadline: datetime | None) -> datetime | None:
    """When ``sub`` counts as submitted for the late policy: its received time, except that a
    submission Canvas marked late is at least a started day late even where the file's time
    says otherwise (Canvas records the lateness, not the time, in its download names)."""
    if sub.lms.get("late") and deadline is not None and (sub.submitted_at is None or sub.submitted_at <= deadline):
        return deadline + timedelta(seconds=1)
    return sub.submitted_at


def grade_class(bundle_dir: Path, submissions: Path, backend: Backend, gradebook: Gradebook, results_dir: Path,
                workers: int = 2, regrade: bool = False, students: set[str] | None = None,
                progress: bool = True, cluster: str | None = None,
                received: dict[str, datetime] | None = None) -> ClassSummary:
    """``cluster``: a Dask scheduler's address (or ``local:N``) to grade on (grading/cluster.py);
    ``backend`` is then the backend's name (None: each worker's best), made on each worker. This
    process stays the only writer of results/ and the gradebook either way. ``received``: the
    LMS's received time per student (``submissions.read_received``)."""
    from autograder.grading.submissions import read_submissions

    bundle = Bundle.load(bundle_dir)
    start = time.monotonic()
    summary = ClassSummary()
    subs = list(read_submissions(Path(submissions), assignment=bundle.assignment_id, received=received))
    done = {} if regrade else gradebook.graded(bundle.assignment_id)
    jobs = []
    for sub in subs:
        sid = sub.student_id or sub.source_path.stem
        if students and sid not in students:
            continue
        if sub.superseded_by is not None:
            summary.superseded.append(f"{sid}: {sub.source_path.name} (superseded by {sub.superseded_by.name})")
            continue
        data = None
        if sub.error is None:
            try:
                data = sub.notebook_bytes()
            except (OSError, ValueError) as e:
                sub.error = f"{sub.source_path}: {e}"
        digest = hashlib.sha256(data).hexdigest() if data else _file_digest(sub.source_path)
        if sid in done and done[sid] == digest and digest is not None:
            summary.skipped.append(sid)
            continue
        jobs.append((sid, sub, data, digest))
    lock = threading.Lock()
    bar = _progress(len(jobs), progress)

    def finish(sub, result) -> None:
        """Record one finished submission: the only writer of results/ and the gradebook."""
        if isinstance(result, str):
            summary.failed.append(result)
            print(result, file=sys.stderr)
            return
        result = without_staff_detail(result)
        submitted = received_time(sub, bundle.config.deadline)
        # from the student's own deadline: an extension in the gradebook moves it
        days, penalty, deadline = gradebook.lateness(bundle.assignment_id, result["student"], bundle.config.late,
                                                     bundle.config.deadline, submitted)
        result["late"] = {"days": days, "penalty": penalty, "deadline": deadline.isoformat() if deadline else None,
                          "submitted_at": submitted.isoformat() if submitted else None,
                          "received_from": sub.received_from,
                          "claimed_at": sub.claimed_at.isoformat() if sub.claimed_at else None}
        with lock:
            save_result(results_dir, result)
            gradebook.record(result, submitted_at=submitted, late_days=days, late_penalty=penalty)
            summary.graded.append(result)
            bar(result)

    runnable = []
    for sid, sub, data, digest in jobs:
        if sub.error is None and data is not None:
            runnable.append((sid, sub, data, digest))
            continue
        result = without_results(bundle.assignment_id, bundle.questions, sid, sub.error or "no notebook")
        result["notebook_sha256"] = digest   # an unreadable zip: its file's hash, so a rerun skips it
        finish(sub, result)
    if cluster is not None:
        from autograder.grading.cluster import grade_on_cluster

        grade_on_cluster(cluster, bundle, runnable, getattr(backend, "name", backend), finish)
    elif runnable:
        _grade_here(bundle, runnable, backend, workers, finish)
    summary.seconds = time.monotonic() - start
    return summary


def _grade_here(bundle: Bundle, jobs: list, backend: Backend, workers: int, finish) -> None:
    """Grade ``jobs`` in threads of this process, ``workers`` at a time (each in its backend's slot)."""
    backend.prepare(bundle.folder)
    slots: queue.Queue[int] = queue.Queue()
    for i in range(max(1, workers)):
        slots.put(i)

    def work(sid, sub, data, digest):
        slot = slots.get()
        try:
            return sub, grade_notebook(bundle, data, backend, slot=slot, student=sid)
        except Exception as e:  # noqa: BLE001 - a grader bug on one submission must not stop the class
            return sub, f"{sid}: the grader failed ({type(e).__name__}: {e}); not recorded, a rerun retries it"
        finally:
            slots.put(slot)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for fut in as_completed([pool.submit(work, *job) for job in jobs]):
            finish(*fut.result())


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return lambda result: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="sub", file=sys.stderr, dynamic_ncols=True)

    def update(result):
        bar.set_postfix_str(f"{result['student']}: {result['score']:g}/{result['max_score']:g} {result['exit_reason']}")
        bar.update(1)
        if bar.n == total:
            bar.close()
    return update


def summary_table(summary: ClassSummary) -> str:
    rows = sorted(summary.graded, key=lambda r: r["student"])
    width = max([len(r["student"]) for r in rows] + [7])
    lines = [f"{'student':<{width}}  {'score':>12}  {'late':>9}  {'exit':<13}  {'time':>7}  {'peak MB':>8}"]
    for r in rows:
        late = r.get("late", {})
        late_text = f"{late['days']}d -{late['penalty']:.0%}" if late.get("days") else ""
        lines.append(f"{r['student']:<{width}}  {r['score']:>5g} / {r['max_score']:<4g}  {late_text:>9}  "
                     f"{r['exit_reason']:<13}  {r['runtime_s']:>6.1f}s  {r['peak_memory_mb'] or 0:>8.0f}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["exit_reason"]] = counts.get(r["exit_reason"], 0) + 1
    lines.append("")
    lines.append(f"graded {len(rows)} in {summary.seconds:.1f}s; " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    if summary.skipped:
        lines.append(f"unchanged since last run (use --regrade to redo): {len(summary.skipped)}")
    for s in summary.superseded:
        lines.append(f"superseded: {s}")
    for s in summary.failed:
        lines.append(f"NOT GRADED: {s}")
    return "\n".join(lines)
