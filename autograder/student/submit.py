"""``course submit``: the zip a student hands in, ``<assignment>_<student>_<YYYYmmddTHHMMSSZ>.zip``,
holding the notebook and ``manifest.json`` (assignment, student, UTC time, sha256 of each file,
tool version). ``autograder/grading/submissions.py`` reads it back (and every LMS download)."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from autograder.errors import CourseError
from autograder.version import tool_version

MANIFEST = "manifest.json"
STUDENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")
TIMESTAMP_FMT = "%Y%m%dT%H%M%SZ"


class SubmitError(CourseError, ValueError):
    """A notebook that cannot be submitted, with the reason."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def submit(notebook: Path, student: str, out_dir: Path | None = None, now: datetime | None = None) -> Path:
    """Write the submission zip for ``notebook`` and return its path."""
    notebook = Path(notebook)
    if not STUDENT_ID_RE.match(student or ""):
        raise SubmitError(f"student id {student!r} is not valid: use letters, digits and _ . @ + -")
    try:
        data = notebook.read_bytes()
    except OSError as exc:
        raise SubmitError(f"{notebook}: cannot read it ({exc.strerror})") from None
    nb = read_notebook(data, str(notebook))
    assignment = nb.metadata.get("course", {}).get("assignment")
    if not assignment:
        raise SubmitError(
            f"{notebook}: no assignment id in its metadata; submit the notebook you got from the "
            "course release (its metadata has course.assignment), not a copy made elsewhere"
        )
    now = (now or utc_now()).astimezone(timezone.utc)
    name = notebook.name
    manifest = {
        "assignment": assignment,
        "student": student,
        "submitted_at": now.isoformat().replace("+00:00", "Z"),
        "notebook": name,
        "files": {name: sha256(data)},
        "tool_version": tool_version(),
    }
    out_dir = Path(out_dir) if out_dir else notebook.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{assignment}_{student}_{now.strftime(TIMESTAMP_FMT)}.zip"
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
    tmp.replace(target)
    return target


def read_notebook(data: bytes, where: str):
    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        raise SubmitError(f"{where}: not a notebook (not UTF-8 text)") from None
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds
        raise SubmitError(f"{where}: not a readable notebook ({type(exc).__name__}: {exc})") from None
