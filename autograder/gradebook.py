"""The gradebook: SQLite by default, any SQLAlchemy URL with ``--db``.

One row per (assignment, student) in ``grades``, replaced in a single transaction when a
submission is (re)graded, so a crash mid-class never leaves half a grade and a rerun never
duplicates one. Staff overrides live in their own table (who, when, why) and are applied on
top of the automatic score when reading, so a regrade never loses them; staff's points for
written (manual) questions are kept the same way. Extensions (who, when,
why) move one student's deadline for one assignment, or for every assignment (``"*"``: an
accommodation, which also holds for assignments released later); the late penalty is computed
from the extended deadline at grading, and recomputed from the stored submission time when an
extension is added or removed, without running the notebook again.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import (Column, DateTime, Float, Integer, String, Text, UniqueConstraint, create_engine, event,
                        select)
from sqlalchemy.orm import DeclarativeBase, Session

from autograder.errors import CourseError


class OverrideError(CourseError, ValueError):
    """An override the gradebook refuses: no grade yet, no such question, a manual question,
    points out of range, or no reason."""


class ExtensionError(CourseError, ValueError):
    """An extension the gradebook refuses: neither or both of days and a date, no reason."""


ALL_ASSIGNMENTS = "*"       # an extension's assignment for every assignment of the term
WRITTEN_NO_COMMENT = "graded by staff"      # the reason a written grade saved without a comment shows


class Base(DeclarativeBase):
    pass


class Grade(Base):
    __tablename__ = "grades"
    id = Column(Integer, primary_key=True)
    assignment = Column(String(100), nullable=False, index=True)
    student = Column(String(200), nullable=False)
    score = Column(Float, nullable=False)
    max_score = Column(Float, nullable=False)
    exit_reason = Column(String(30), nullable=False)
    notebook_sha256 = Column(String(64))
    submitted_at = Column(DateTime(timezone=True))
    graded_at = Column(DateTime(timezone=True), nullable=False)
    late_days = Column(Integer, default=0)
    late_penalty = Column(Float, default=0.0)       # fraction of the score removed
    runtime_s = Column(Float)
    peak_memory_mb = Column(Float)
    backend = Column(String(20))
    result_json = Column(Text, nullable=False)
    __table_args__ = (UniqueConstraint("assignment", "student", name="one_grade_per_student"),)


class Override(Base):
    __tablename__ = "overrides"
    id = Column(Integer, primary_key=True)
    assignment = Column(String(100), nullable=False, index=True)
    student = Column(String(200), nullable=False)
    question = Column(String(100), nullable=False)
    points = Column(Float, nullable=False)
    reason = Column(Text, nullable=False)
    author = Column(String(200), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)


class Extension(Base):
    __tablename__ = "extensions"
    id = Column(Integer, primary_key=True)
    assignment = Column(String(100), nullable=False, index=True)     # or ALL_ASSIGNMENTS
    student = Column(String(200), nullable=False)
    days = Column(Integer)                                            # either days after the deadline
    until = Column(DateTime(timezone=True))                           # or a date
    reason = Column(Text, nullable=False)
    author = Column(String(200), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)

    def deadline(self, base: datetime | None) -> datetime | None:
        """The deadline this extension gives (None: days after an assignment with no deadline)."""
        if self.until is not None:
            return _aware(self.until)
        return None if base is None else base + timedelta(days=self.days)


def extended_deadline(base: datetime | None, extensions: list[Extension]) -> datetime | None:
    """The latest deadline any of ``extensions`` gives (they do not add up), or ``base``."""
    if base is None:
        return None
    return max([base, *(e.deadline(base) for e in extensions)])     # base is set: every one is a date


def _aware(when: datetime) -> datetime:      # SQLite returns naive datetimes; they are stored in UTC
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def default_url(root: Path) -> str:
    return f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"


def make_engine(url: str):
    """An engine for the gradebook's database (the service's tables share it)."""
    engine = create_engine(url, future=True)
    if url.startswith("sqlite"):
        # WAL + a busy timeout: concurrent readers (the report) never block the grader
        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()
    return engine


class Gradebook:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)

    def record(self, result: dict, submitted_at: datetime | None = None, late_days: int = 0,
               late_penalty: float = 0.0) -> None:
        """Insert or replace one student's grade, atomically."""
        with Session(self.engine) as s, s.begin():
            row = s.scalar(select(Grade).where(Grade.assignment == result["assignment"],
                                               Grade.student == result["student"]))
            if row is None:
                row = Grade(assignment=result["assignment"], student=result["student"])
                s.add(row)
            row.score, row.max_score = result["score"], result["max_score"]
            row.exit_reason, row.notebook_sha256 = result["exit_reason"], result.get("notebook_sha256")
            row.submitted_at, row.graded_at = submitted_at, _parse(result["graded_at"])
            row.late_days, row.late_penalty = late_days, late_penalty
            row.runtime_s, row.peak_memory_mb = result.get("runtime_s"), result.get("peak_memory_mb")
            row.backend, row.result_json = result.get("backend"), json.dumps(result, sort_keys=True)

    def graded(self, assignment: str) -> dict[str, str | None]:
        """student -> notebook sha256 of what is graded (to skip unchanged work on a rerun)."""
        with Session(self.engine) as s:
            return dict(s.execute(select(Grade.student, Grade.notebook_sha256).where(Grade.assignment == assignment)).all())

    def grades(self, assignment: str) -> list[Grade]:
        with Session(self.engine) as s:
            rows = s.scalars(select(Grade).where(Grade.assignment == assignment).order_by(Grade.student)).all()
            s.expunge_all()
            return list(rows)

    def grade(self, assignment: str, student: str) -> Grade | None:
        with Session(self.engine) as s:
            row = s.scalar(select(Grade).where(Grade.assignment == assignment, Grade.student == student))
            s.expunge_all()
            return row

    def add_override(self, assignment: str, student: str, question: str, points: float, reason: str,
                     author: str) -> Override:
        """Record staff's points for one question of one graded student, after checking them:
        the student has a grade, the question is autograded, the points are within its range
        and there is a reason (the student reads it)."""
        grade = self.grade(assignment, student)
        if grade is None:
            raise OverrideError(f"{student!r} has no grade for {assignment!r} yet")
        questions = json.loads(grade.result_json)["questions"]
        if question not in questions:
            raise OverrideError(f"{assignment} has no question {question!r}; it has {', '.join(questions)}")
        if questions[question].get("manual"):
            raise OverrideError(f"{question} is a written question: give its points with `course written` or on "
                                "the service's written-answers page, not as an override")
        if not reason.strip():
            raise OverrideError("an override must say why (the student reads it)")
        return self._add_points(assignment, student, question, questions[question], points, reason.strip(), author)

    def save_written_grade(self, assignment: str, student: str, question: str, points: float, comment: str,
                           author: str) -> Override:
        """Staff's points (and an optional comment) for one student's answer to a written (manual)
        question. Stored like an override (who, when; the latest counts; every earlier one kept)."""
        grade = self.grade(assignment, student)
        if grade is None:
            raise OverrideError(f"{student!r} has no graded submission for {assignment!r}")
        questions = json.loads(grade.result_json)["questions"]
        if not questions.get(question, {}).get("manual"):
            written = [n for n, q in questions.items() if q.get("manual")]
            raise OverrideError(f"{assignment} has no written question {question!r}; "
                                f"its written questions: {', '.join(written) or 'none'}")
        return self._add_points(assignment, student, question, questions[question], points,
                                comment.strip() or WRITTEN_NO_COMMENT, author)

    def _add_points(self, assignment: str, student: str, question: str, spec: dict, points: float, reason: str,
                    author: str) -> Override:
        maximum = spec["max_points"]
        if not 0 <= points <= maximum:
            raise OverrideError(f"{question} is worth 0 to {maximum:g} points, not {points:g}")
        row = Override(assignment=assignment, student=student, question=question, points=points,
                       reason=reason, author=author, created_at=datetime.now(timezone.utc))
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return row

    def overrides(self, assignment: str, student: str | None = None) -> list[Override]:
        with Session(self.engine) as s:
            q = select(Override).where(Override.assignment == assignment)
            if student is not None:
                q = q.where(Override.student == student)
            rows = s.scalars(q.order_by(Override.created_at, Override.id)).all()
            s.expunge_all()
            return list(rows)

    def add_extension(self, assignment: str, student: str, reason: str, author: str, *, days: int | None = None,
                      until: datetime | None = None) -> Extension:
        """Record a deadline extension for ``student`` on ``assignment`` (or ALL_ASSIGNMENTS)."""
        if (days is None) == (until is None):
            raise ExtensionError("give the extension as --days N or --until DATE (one of them)")
        if days is not None and days <= 0:
            raise ExtensionError(f"--days must be a positive number of days, not {days}")
        if until is not None and until.tzinfo is None:
            raise ExtensionError(f"--until {until.isoformat()} has no timezone; write e.g. 2030-01-20T23:59:00+00:00")
        if not reason.strip():
            raise ExtensionError("an extension must say why (the student reads it)")
        row = Extension(assignment=assignment, student=student, days=days, until=until, reason=reason.strip(),
                        author=author, created_at=datetime.now(timezone.utc))
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return row

    def remove_extensions(self, assignment: str, student: str) -> int:
        """Remove ``student``'s extensions recorded for ``assignment`` (ALL_ASSIGNMENTS: the roster ones)."""
        with Session(self.engine) as s, s.begin():
            rows = s.scalars(select(Extension).where(Extension.assignment == assignment,
                                                     Extension.student == student)).all()
            for row in rows:
                s.delete(row)
            return len(rows)

    def extensions(self, assignment: str | None = None, student: str | None = None) -> list[Extension]:
        """The extensions that apply to ``assignment`` (its own and the roster's), oldest first."""
        with Session(self.engine) as s:
            q = select(Extension)
            if assignment is not None:
                q = q.where(Extension.assignment.in_([assignment, ALL_ASSIGNMENTS]))
            if student is not None:
                q = q.where(Extension.student == student)
            rows = s.scalars(q.order_by(Extension.created_at, Extension.id)).all()
            s.expunge_all()
            return list(rows)

    def deadline_for(self, assignment: str, student: str, base: datetime | None) -> datetime | None:
        return extended_deadline(base, self.extensions(assignment, student))

    def lateness(self, assignment: str, student: str, policy, base: datetime | None,
                 submitted_at: datetime | None) -> tuple[int, float, datetime | None]:
        """(days late, fraction removed, the deadline used) under ``policy`` (a LatePolicy),
        counted from ``student``'s extended deadline."""
        deadline = self.deadline_for(assignment, student, base)
        days, penalty = policy.lateness(deadline, _aware(submitted_at) if submitted_at else None)
        return days, penalty, deadline

    def reapply_lateness(self, assignment: str, student: str, policy,
                         base: datetime | None) -> tuple[Grade | None, datetime | None]:
        """Recompute a graded submission's lateness from its stored time (an extension changed);
        returns the grade as now stored (None: not graded) and the student's deadline."""
        deadline = self.deadline_for(assignment, student, base)
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            row = s.scalar(select(Grade).where(Grade.assignment == assignment, Grade.student == student))
            if row is None:
                return None, deadline
            days, penalty = policy.lateness(deadline, _aware(row.submitted_at) if row.submitted_at else None)
            result = json.loads(row.result_json)
            result["late"] = {**result.get("late", {}), "days": days, "penalty": penalty,
                              "deadline": deadline.isoformat() if deadline else None}
            row.late_days, row.late_penalty, row.result_json = days, penalty, json.dumps(result, sort_keys=True)
        return row, deadline

    def assignments_graded(self, student: str) -> list[str]:
        """The assignments ``student`` has a grade for."""
        with Session(self.engine) as s:
            return list(s.scalars(select(Grade.assignment).where(Grade.student == student)).all())


def written_in_grading(grades: list[Grade], overrides: list[Override]) -> set[str]:
    """The written (manual) questions of an assignment whose grading has started: staff saved
    points for at least one student. From then on every student's total counts them, an answer
    not graded yet as 0 (the pages say so); before, totals are the autograded points alone, so
    they do not change under students' feet when a written question is added to the count."""
    manual = {name for g in grades[:1] for name, q in json.loads(g.result_json)["questions"].items()
              if q.get("manual")}
    return {o.question for o in overrides} & manual


def total_max(grade: Grade, counted_written: set[str] = frozenset()) -> float:
    """The maximum of ``grade``'s total: the autograded points, and the written questions counted."""
    questions = json.loads(grade.result_json)["questions"]
    return round(float(grade.max_score) + sum(q["max_points"] for name, q in questions.items()
                                              if q.get("manual") and name in counted_written), 6)


def final_score(grade: Grade, overrides: list[Override]) -> tuple[float, dict]:
    """The score after overrides and written grades (latest per question wins) and the late penalty."""
    result = json.loads(grade.result_json)
    per_question = {name: q["points"] for name, q in result["questions"].items() if not q["manual"]}
    latest = {}
    for o in overrides:
        latest[o.question] = o
    for name, o in latest.items():
        per_question[name] = o.points
    raw = sum(per_question.values())
    return round(raw * (1 - (grade.late_penalty or 0.0)), 6), per_question


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
