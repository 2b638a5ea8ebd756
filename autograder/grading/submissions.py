"""Reading a folder of submissions, in every shape instructors download.

``course submit`` (``autograder/student/submit.py``) writes ``<assignment>_<student>_<YYYYmmddTHHMMSSZ>.zip`` holding the
notebook and ``manifest.json`` (assignment, student, UTC time, sha256 of each file, tool
version).

:func:`read_submissions` accepts what instructors actually download:

* our zips (anywhere in the folder);
* bare ``<student>.ipynb`` files;
* Canvas bulk downloads: ``<lastfirst>[_late]_<userid>_<submissionid>_<file>.ipynb`` (or
  ``.zip``); the student id is Canvas' user id;
* folder-per-student exports (Gradescope, Moodle, hand-made): ``<student>/.../*.ipynb``. A
  Gradescope ``submission_metadata.yml`` maps ``submission_<id>`` folders to student ids and
  times; a Moodle folder ``<Full Name>_<id>_assignsubmission_file_`` gives the id.

A bad file never raises: it is yielded with ``error`` naming the file and what is wrong. When a
student has several submissions, the latest (by received time) is kept and the others carry
``superseded_by``.

Lateness is decided by when the submission was *received*, never by the time the student's
own machine wrote into the manifest (one edited field would make a late zip on time): the time
an LMS recorded (Gradescope's ``created_at``; Canvas's ``late`` marker, see
``class_grading``), a ``--received`` CSV exported from the LMS, or else the file's time in the
collection folder. The manifest's claim is kept as ``claimed_at``; a claim well before the
received time is flagged for a human on the dashboard.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from autograder.errors import CourseError
from autograder.student.submit import MANIFEST, STUDENT_ID_RE, SubmitError, read_notebook, sha256

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024  # a zip bomb must not fill the grader's memory
CANVAS_RE = re.compile(r"^(?P<name>[^_/]+?)_(?P<late>late_)?(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.I)
MOODLE_RE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assign(?:submission|feedback)_\w*$")
SKIP_DIRS = {".ipynb_checkpoints", "__MACOSX", "__pycache__"}


@dataclass
class Submission:
    student_id: str | None
    notebook: Path | bytes | None  # a path for bare files, the bytes for notebooks inside zips
    submitted_at: datetime | None
    source_path: Path
    manifest: dict | None = None
    error: str | None = None
    superseded_by: Path | None = None
    notebook_name: str | None = None
    lms: dict = field(default_factory=dict)  # what an LMS file name told us (name, late, ids)
    warnings: list[str] = field(default_factory=list)
    claimed_at: datetime | None = None      # the manifest's submitted_at: the student's clock
    received_from: str | None = None        # what ``submitted_at`` (the received time) comes from

    @property
    def gradable(self) -> bool:
        return self.error is None and self.superseded_by is None

    def notebook_bytes(self) -> bytes:
        if isinstance(self.notebook, bytes):
            return self.notebook
        if isinstance(self.notebook, Path):
            return self.notebook.read_bytes()
        raise ValueError(f"{self.source_path}: no notebook ({self.error})")


def _parse_time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    for fmt in (None, "%Y-%m-%d %H:%M:%S.%f %z", "%Y-%m-%d %H:%M:%S %z"):
        try:
            t = datetime.fromisoformat(text) if fmt is None else datetime.strptime(value.strip(), fmt)
            return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def _lms_identity(path: Path, root: Path, gradescope: dict) -> tuple[str | None, dict]:
    """The student a file belongs to, from its name or its folder."""
    rel = path.relative_to(root)
    if len(rel.parts) > 1:
        folder = rel.parts[0]
        if folder in gradescope:
            return gradescope[folder]["student"], {"source": "gradescope", **gradescope[folder]}
        m = MOODLE_RE.match(folder)
        if m:
            return m["id"], {"source": "moodle", "name": m["name"]}
        return folder, {"source": "folder"}
    m = CANVAS_RE.match(path.name)
    if m:
        return m["user"], {"source": "canvas", "name": m["name"], "late": bool(m["late"]),
                           "submission_id": m["sub"], "filename": m["file"]}
    return None, {}


def _gradescope_metadata(root: Path) -> dict:
    """``submission_<id>`` -> student, from Gradescope's ``submission_metadata.yml``."""
    path = root / "submission_metadata.yml"
    if not path.is_file():
        return {}
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except Exception:  # noqa: BLE001 - a damaged metadata file: fall back to folder names
        return {}
    out = {}
    for folder, info in data.items() if isinstance(data, dict) else []:
        if not isinstance(info, dict):
            continue
        submitters = info.get(":submitters") or info.get("submitters") or [{}]
        first = submitters[0] if isinstance(submitters, list) and submitters else {}
        student = first.get(":sid") or first.get(":email") or first.get("sid") or first.get("email")
        out[str(folder)] = {
            "student": str(student) if student else str(folder),
            "name": first.get(":name") or first.get("name"),
            "created_at": info.get(":created_at") or info.get("created_at"),
        }
    return out


def _from_zip(path: Path, student: str | None, lms: dict, assignment: str | None) -> Submission:
    sub = Submission(student, None, None, path, lms=lms)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
            manifest = None
            if MANIFEST in infos:
                if infos[MANIFEST].file_size > 1_000_000:
                    raise SubmitError(f"{path}: {MANIFEST} is implausibly large")
                try:
                    manifest = json.loads(zf.read(MANIFEST))
                    assert isinstance(manifest, dict)
                except Exception:  # noqa: BLE001
                    raise SubmitError(f"{path}: {MANIFEST} is not valid JSON") from None
            notebooks = [n for n in infos if n.endswith(".ipynb") and not _skipped(Path(n))]
            if manifest and manifest.get("notebook") in infos:
                name = manifest["notebook"]
            elif len(notebooks) == 1:
                name = notebooks[0]
            else:
                what = "no notebook" if not notebooks else f"several notebooks ({', '.join(sorted(notebooks))})"
                raise SubmitError(f"{path}: {what}; a submission zip holds exactly one .ipynb")
            if infos[name].file_size > MAX_NOTEBOOK_BYTES:
                raise SubmitError(f"{path}: {name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB unpacked")
            data = zf.read(name)
    except zipfile.BadZipFile as exc:
        sub.error = f"{path}: not a valid zip file ({exc})"
        return sub
    except SubmitError as exc:
        sub.error = str(exc)
        return sub
    except Exception as exc:  # noqa: BLE001 - never raise for one bad file
        sub.error = f"{path}: cannot read the zip ({type(exc).__name__}: {exc})"
        return sub

    sub.notebook, sub.notebook_name, sub.manifest = data, name, manifest
    try:
        nb = read_notebook(data, f"{path}:{name}")
    except SubmitError as exc:
        sub.error = str(exc)
        return sub
    if manifest:
        expected = (manifest.get("files") or {}).get(name)
        if expected and expected != sha256(data):
            sub.error = f"{path}: {name} does not match the checksum in {MANIFEST} (changed after submitting)"
        sub.claimed_at = _parse_time(manifest.get("submitted_at"))
        claimed = manifest.get("student")
        if sub.student_id is None:
            sub.student_id = claimed
        elif claimed and claimed != sub.student_id:
            sub.warnings.append(f"{MANIFEST} names student {claimed!r}, the LMS {sub.student_id!r}")
    _check_assignment(sub, nb, assignment)
    return sub


def _check_assignment(sub: Submission, nb, assignment: str | None) -> None:
    found = (sub.manifest or {}).get("assignment") or nb.metadata.get("course", {}).get("assignment")
    if assignment and found and found != assignment and sub.error is None:
        sub.error = f"{sub.source_path}: this is a submission for {found!r}, not {assignment!r}"


def _skipped(rel: Path) -> bool:
    return any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts)


class SubmissionsError(CourseError):
    """A submissions folder that cannot be read at all (one bad file is never this: it fails alone)."""


def _candidates(root: Path) -> Iterator[Path]:
    try:
        paths = sorted(root.rglob("*"))
    except OSError as e:
        raise SubmissionsError(f"{root}: cannot read the submissions folder ({e.strerror or e}); "
                               "make it readable by the grader and grade again") from None
    for path in paths:
        rel = path.relative_to(root)
        if path.is_file() and not _skipped(rel) and path.suffix.lower() in (".ipynb", ".zip"):
            yield path


def read_received(path: Path) -> dict[str, datetime]:
    """student -> received time, from a CSV the LMS exported: a student column (``student``,
    ``SID``, ``id``, ``email``) and a time column (``received_at``, ``Submission Time``,
    ``submitted_at``), ISO 8601 or ``YYYY-MM-DD HH:MM:SS +ZZZZ``. One clear error per bad row."""
    import csv

    students = ("student", "sid", "id", "email", "student id")
    times = ("received_at", "submission time", "submitted_at", "submitted")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise SubmissionsError(f"{path}: cannot read the received times ({e})") from None
    header = {k.strip().lower(): k for k in (rows[0].keys() if rows else [])}
    who = next((header[k] for k in students if k in header), None)
    when = next((header[k] for k in times if k in header), None)
    if who is None or when is None:
        raise SubmissionsError(f"{path}: needs a student column ({', '.join(students)}) and a time column "
                               f"({', '.join(times)}); it has {', '.join(header) or 'none'}")
    out = {}
    for n, row in enumerate(rows, start=2):
        t = _parse_time(row.get(when) or "")
        if t is None:
            raise SubmissionsError(f"{path}: line {n}: {row.get(when)!r} is not a time (use ISO 8601 with a zone)")
        out[(row.get(who) or "").strip()] = t
    return out


def _received(sub: Submission, received: dict[str, datetime]) -> None:
    """Set ``submitted_at`` to when the submission was received (see the module doc); ``received``:
    the times an LMS export (``--received``) or the service's receipts give."""
    if sub.student_id in received:
        sub.submitted_at, sub.received_from = received[sub.student_id], "received record"
    elif _parse_time(sub.lms.get("created_at")):
        sub.submitted_at, sub.received_from = _parse_time(sub.lms["created_at"]), "gradescope"
    elif sub.lms.get("source") == "canvas":
        # Canvas says whether it was late; a late one is at least a started day late (class_grading)
        sub.submitted_at = _mtime(sub.source_path) if sub.lms.get("late") else None
        sub.received_from = "canvas"
    elif sub.source_path.is_file():
        sub.submitted_at, sub.received_from = _mtime(sub.source_path), "file time"


def read_submissions(folder: Path, assignment: str | None = None,
                     notebook_name: str | None = None, received: dict[str, datetime] | None = None) -> list[Submission]:
    """Every submission in ``folder``, the superseded and broken ones flagged (see module doc).

    ``assignment`` rejects submissions made for another assignment; ``notebook_name`` picks the
    notebook when a student's folder holds several; ``received`` (``read_received``) gives the
    LMS's received time per student.
    """
    root = Path(folder)
    gradescope = _gradescope_metadata(root)
    subs: list[Submission] = []
    per_folder: dict[tuple[str, str], list[Path]] = {}
    for path in _candidates(root):
        student, lms = _lms_identity(path, root, gradescope)
        if path.suffix.lower() == ".zip":
            sub = _from_zip(path, student, lms, assignment)
            if sub.student_id is None and sub.error is None:
                sub.error = f"{path}: no {MANIFEST} and a file name that names no student"
            subs.append(sub)
            continue
        if lms.get("source") in ("gradescope", "moodle", "folder"):
            per_folder.setdefault((student, path.relative_to(root).parts[0]), []).append(path)
            continue
        subs.append(_from_notebook(path, student or path.stem, lms, assignment))

    for (student, folder), paths in per_folder.items():
        lms = _lms_identity(paths[0], root, gradescope)[1]
        if len(paths) > 1:
            chosen = [p for p in paths if notebook_name and p.name == notebook_name]
            if len(chosen) != 1:
                names = ", ".join(str(p.relative_to(root)) for p in paths)
                hint = f"none is named {notebook_name}" if notebook_name else "pass notebook_name to choose"
                subs.append(Submission(student, None, None, root / folder, lms=lms,
                                       error=f"{root / folder}: several notebooks ({names}); {hint}"))
                continue
            paths = chosen
        subs.append(_from_notebook(paths[0], student, lms, assignment))

    for sub in subs:
        _received(sub, received or {})
    _mark_superseded(subs)
    return sorted(subs, key=lambda s: (s.student_id or "", str(s.source_path)))


def _from_notebook(path: Path, student: str, lms: dict, assignment: str | None) -> Submission:
    sub = Submission(student, path, None, path, lms=lms, notebook_name=path.name)
    if not STUDENT_ID_RE.match(student or ""):
        sub.error = f"{path}: cannot tell the student from the name {path.name!r}"
        return sub
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise SubmitError(f"{path}: larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
        nb = read_notebook(path.read_bytes(), str(path))
    except SubmitError as exc:
        sub.error = str(exc)
        return sub
    except OSError as exc:
        sub.error = f"{path}: cannot read it ({exc.strerror})"
        return sub
    _check_assignment(sub, nb, assignment)
    return sub


def _mark_superseded(subs: list[Submission]) -> None:
    """Keep each student's latest readable submission; point the others at it."""
    by_student: dict[str, list[Submission]] = {}
    for s in subs:
        if s.student_id and s.error is None:
            by_student.setdefault(s.student_id, []).append(s)

    def when(s: Submission) -> tuple:
        t = s.submitted_at or _mtime(s.source_path)
        return (t, int(s.lms.get("submission_id") or 0), str(s.source_path))

    for group in by_student.values():
        if len(group) < 2:
            continue
        group.sort(key=when)
        latest = group[-1]
        for s in group[:-1]:
            s.superseded_by = latest.source_path


def one_submission(folder: Path, student: str, assignment: str | None = None) -> Submission:
    """The one submission in ``folder``, one student's upload (Gradescope's ``/autograder/submission``):
    ``<assignment>.ipynb`` where it is there, else its only notebook, else its only zip (``course
    submit``'s, or any zip holding one notebook). Never raises: a folder with none or several
    holds a submission whose ``error`` says so."""
    root = Path(folder)
    try:
        found = list(_candidates(root))
    except SubmissionsError as e:
        return Submission(student, None, None, root, error=str(e))
    notebooks = [p for p in found if p.suffix.lower() == ".ipynb"]
    named = [p for p in notebooks if assignment and p.name == f"{assignment}.ipynb"]
    zips = [p for p in found if p.suffix.lower() == ".zip"]
    chosen = named or notebooks or zips
    if len(chosen) != 1:
        what = "no notebook (.ipynb) or submission zip" if not chosen else \
            "several files to grade (" + ", ".join(str(p.relative_to(root)) for p in chosen) + \
            f"); submit only {assignment or 'the assignment'}.ipynb"
        return Submission(student, None, None, root, error=f"{root}: {what}")
    path = chosen[0]
    if path.suffix.lower() == ".zip":
        sub = _from_zip(path, student, {}, assignment)
        sub.student_id = student
        return sub
    return _from_notebook(path, student, {}, assignment)
