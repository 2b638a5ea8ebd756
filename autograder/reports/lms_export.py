"""``course export``: the gradebook as a CSV for a spreadsheet, Canvas or Gradescope.

Every format exports the *final* score, :func:`autograder.gradebook.final_score`: staff
overrides applied, then the late penalty recorded when the work was graded. With
``--points-possible N`` the final score is rescaled to ``N`` (``final / max * N``), for an
LMS assignment worth a different number of points than the autograded questions.

Layouts (one row per graded student, sorted by student id):

``csv`` (ours, for spreadsheets)::

    student,score,max_score,<q1>,<q2>,...,raw_score,late_days,late_penalty,exit_reason,overrides

  ``score``/``max_score`` are final (rescaled with ``--points-possible``); the per-question
  columns are points after overrides, before the late penalty, in the assignment's own points;
  ``raw_score`` is the autograder's score; ``late_penalty`` the fraction removed (0.2 = 20%);
  ``overrides`` how many overrides apply.

``canvas`` (Canvas Gradebook "Import" CSV)::

    Student,ID,SIS User ID,SIS Login ID,Section,<Assignment Name> (<id>)
    Points Possible,,,,,<max>
    <name>,<canvas user id>,<sis user id>,<sis login id>,<section>,<score>

  This is the layout of Canvas's own gradebook export, which its import reads back: Canvas
  matches a row to a student by ``ID`` (Canvas user id) or the SIS ids, so at least one must be
  filled; ``Student`` and ``Section`` are informational. The optional "Points Possible" row sets
  the points of an assignment the import creates. A column header that names an existing Canvas
  assignment (``Title (12345)``, with Canvas's numeric assignment id, as in a Canvas export)
  updates it; any other header creates a new assignment, so copy the header from a Canvas
  export with ``--canvas-column`` to update one. Default header: ``<title> (<assignment id>)``.
  (Reference: Canvas guides, "How do I import grades in the Gradebook?", and OSU's CarmenCanvas
  guide "Import a CSV file into Carmen grades": student name or ID or SIS User ID, SIS Login
  ID, Section, then the assignment columns.)

``gradescope`` (Gradescope "Upload Scores" / roster-matched CSV)::

    Name,SID,Email,Total Score

  Gradescope matches rows to its roster by ``Email`` (or ``SID``) and lets you pick the score
  column when uploading; the column names are those of Gradescope's own score export, so a
  file round-trips. Assumption, from Gradescope's help pages on rosters (``Name``/``Email``/
  ``SID`` columns), not from a published upload specification.

Names and ids: without ``--roster``, ``Student``/``Name`` is the student id the submission was
graded under. For Canvas, an all-digit id (what a Canvas bulk download gives) goes in ``ID``,
anything else in ``SIS User ID``; for Gradescope the id is the ``SID``, and the ``Email`` too
when it contains ``@``. A roster CSV (``--roster``) with a ``student`` column (the graded id)
and any of ``name``, ``email``, ``sid``, ``canvas_id``, ``sis_user_id``, ``sis_login_id``,
``section`` fills the other columns.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder.errors import CourseError
from autograder.reports.model import ClassView, StudentView

FORMATS = ("csv", "canvas", "gradescope")
ROSTER_FIELDS = ("name", "email", "sid", "canvas_id", "sis_user_id", "sis_login_id", "section")


class ExportError(CourseError, ValueError):
    pass


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
        if "student" not in fields:
            raise ExportError(f"{path}: a roster needs a `student` column (the id each submission was graded "
                              f"under); it has {', '.join(reader.fieldnames or []) or 'no header'}")
        roster = {}
        for row in reader:
            sid = (row.get(fields["student"]) or "").strip()
            if sid:
                roster[sid] = {k: (row.get(fields[k]) or "").strip() for k in ROSTER_FIELDS if k in fields}
    return roster


def canvas_identity(student: str, roster: dict) -> list[str]:
    """Canvas's identity columns (Student, ID, SIS User ID, SIS Login ID, Section) for ``student``:
    from the roster, else an all-digit id as the Canvas ID and any other as the SIS User ID."""
    r = roster.get(student, {})
    ids = {k: r.get(k, "") for k in ("canvas_id", "sis_user_id", "sis_login_id")}
    if not any(ids.values()):
        ids["canvas_id" if student.isdigit() else "sis_user_id"] = student
    return [r.get("name") or student, ids["canvas_id"], ids["sis_user_id"], ids["sis_login_id"], r.get("section", "")]


def _number(x: float) -> str:
    return f"{round(x, 4):g}"


def scaled(s: StudentView, points_possible: float | None) -> tuple[float, float]:
    """(score, max) for an LMS: the final score, rescaled to ``points_possible`` if given."""
    if points_possible is None or not s.max_score:
        return s.final, s.max_score
    return s.final / s.max_score * points_possible, points_possible


def export(view: ClassView, fmt: str, points_possible: float | None = None, roster: dict | None = None,
           canvas_column: str | None = None) -> tuple[str, list[str]]:
    """The file's text and warnings (students missing from the roster, mixed maxima)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if points_possible is not None and points_possible <= 0:
        raise ExportError("--points-possible must be greater than 0")
    roster = roster or {}
    warnings = []
    if roster:
        missing = [s.student for s in view.students if s.student not in roster]
        if missing:
            warnings.append(f"not in the roster (exported by student id only): {', '.join(missing)}")
    maxima = {s.max_score for s in view.students}
    if len(maxima) > 1:
        warnings.append(f"students were graded out of different maxima ({', '.join(map(_number, sorted(maxima)))}): "
                        "was the assignment changed between gradings?")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if fmt == "csv":
        questions = []
        for s in view.students:
            for q in s.questions:
                if q.name not in questions and (not q.manual or q.override is not None):
                    questions.append(q.name)
        w.writerow(["student", "score", "max_score", *questions, "raw_score", "late_days", "late_penalty",
                    "exit_reason", "overrides"])
        for s in view.students:
            score, top = scaled(s, points_possible)
            per_q = {q.name: q.after_override for q in s.questions}
            w.writerow([s.student, _number(score), _number(top),
                        *["" if per_q.get(q) is None else _number(per_q[q]) for q in questions],
                        _number(s.raw_score), s.late_days, _number(s.late_penalty), s.exit_reason,
                        len(s.overrides)])
    elif fmt == "canvas":
        column = canvas_column or f"{view.info.title} ({view.info.id})"
        top = points_possible if points_possible is not None else view.max_score
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        w.writerow(["Points Possible", "", "", "", "", _number(top)])
        for s in view.students:
            w.writerow([*canvas_identity(s.student, roster), _number(scaled(s, points_possible)[0])])
    else:
        w.writerow(["Name", "SID", "Email", "Total Score"])
        for s in view.students:
            r = roster.get(s.student, {})
            email = r.get("email") or (s.student if "@" in s.student else "")
            w.writerow([r.get("name") or s.student, r.get("sid") or s.student, email,
                        _number(scaled(s, points_possible)[0])])
    return buf.getvalue(), warnings
