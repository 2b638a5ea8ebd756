"""What ``course serve`` keeps: accounts, upload receipts, feedback releases, and the uploaded files.

Tables live in the gradebook's database (any SQLAlchemy URL), beside ``grades``. An upload is
written to ``files/<sha[:2]>/<sha256>`` (temporary name, ``fsync``, rename, ``fsync`` of the
folder) and its receipt row committed *before* the server answers: a receipt the student holds
always has its file, and a crash before the commit leaves at most an unreferenced file, never a
receipt without one. Files are content-addressed and never rewritten.

Passwords are argon2 hashes (``argon2-cffi``); a one-time sign-in token is stored as its
sha256 and spent on first use; a student's upload token (for ``course submit --to``; uploads
only) is stored as its sha256 and works until a new one replaces it.
"""

from __future__ import annotations

import csv
import hashlib
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import DeclarativeBase, Session

from autograder.errors import CourseError
from autograder.gradebook import make_engine

ROLES = ("student", "ta", "instructor")
STAFF = ("ta", "instructor")


class RosterError(CourseError, ValueError):
    """A roster file or account change the service refuses, with the file/line and the reason."""


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id = Column(String(200), primary_key=True)
    name = Column(String(200), nullable=False, default="")
    email = Column(String(300), nullable=False, default="")
    section = Column(String(100), nullable=False, default="")
    role = Column(String(20), nullable=False, default="student")
    password_hash = Column(String(300))
    token_sha256 = Column(String(64), index=True)          # a one-time sign-in token, spent on use


class Receipt(Base):
    __tablename__ = "receipts"
    id = Column(Integer, primary_key=True)
    assignment = Column(String(100), nullable=False, index=True)
    student = Column(String(200), nullable=False, index=True)
    sha256 = Column(String(64), nullable=False)
    size = Column(Integer, nullable=False)
    filename = Column(String(300), nullable=False)          # as uploaded: shown, never used as a path
    received_at = Column(DateTime(timezone=True), nullable=False)


class UploadToken(Base):
    """A student's long-lived token for ``course submit --to`` (uploads only; a new one replaces it)."""
    __tablename__ = "upload_tokens"
    id = Column(Integer, primary_key=True)
    student = Column(String(200), nullable=False, index=True)
    sha256 = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False)


class FeedbackRelease(Base):
    __tablename__ = "feedback_releases"
    id = Column(Integer, primary_key=True)
    assignment = Column(String(100), nullable=False)
    released_at = Column(DateTime(timezone=True), nullable=False)
    author = Column(String(200), nullable=False)
    __table_args__ = (UniqueConstraint("assignment", name="one_release_per_assignment"),)


def _digest(token: str) -> str:
    """How a token is stored and looked up: its sha256, never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(when: datetime) -> datetime:      # SQLite hands back naive datetimes; they are stored in UTC
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Stored:
    receipt_id: int
    assignment: str
    student: str
    sha256: str
    size: int
    filename: str
    received_at: datetime


class ServiceStore:
    def __init__(self, url: str, files: Path):
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self.files = Path(files)
        self.files.mkdir(parents=True, exist_ok=True)
        self.hasher = PasswordHasher()
        # SQLite admits one writer at a time and its busy handler backs off in sleeps of up to
        # 100 ms: the server's threads queue here instead (one lock per process; others wait in SQLite)
        self.writing = threading.Lock()

    # -- accounts ----------------------------------------------------------------------------
    def import_roster(self, path: Path) -> int:
        """Add or update accounts from a roster CSV (Canvas or Gradescope exports, or ours):
        an id column (``id``, ``SID``, ``SIS User ID``, ``Student ID``), optional ``name``,
        ``email``, ``section`` and ``role`` (student by default). Returns how many rows."""
        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                rows = list(csv.DictReader(f))
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            raise RosterError(f"{path}: cannot read the roster ({e})") from None
        lower = [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in rows]
        keys = set(lower[0]) if lower else set()
        id_key = next((k for k in ("id", "sid", "sis user id", "student id", "student") if k in keys), None)
        if id_key is None:
            raise RosterError(f"{path}: needs an id column (id, SID, SIS User ID or Student ID); it has "
                              f"{', '.join(sorted(keys)) or 'none'}")
        with Session(self.engine) as s, s.begin():
            for n, r in enumerate(lower, start=2):
                ident, role = r[id_key], (r.get("role") or "student").lower()
                if not ident:
                    raise RosterError(f"{path}: line {n}: no id")
                if role not in ROLES:
                    raise RosterError(f"{path}: line {n}: role {role!r} is not one of {', '.join(ROLES)}")
                account = s.get(Account, ident) or Account(id=ident)
                account.name = r.get("name") or r.get("student name") or account.name or ""
                account.email = r.get("email") or account.email or ""
                account.section = r.get("section") or account.section or ""
                account.role = role
                s.add(account)
        return len(lower)

    def account(self, ident: str) -> Account | None:
        with Session(self.engine) as s:
            return s.get(Account, ident)

    def accounts(self) -> list[Account]:
        with Session(self.engine) as s:
            return list(s.scalars(select(Account).order_by(Account.id)))

    def set_password(self, ident: str, password: str) -> None:
        if len(password) < 10:
            raise RosterError("a password needs at least 10 characters")
        with Session(self.engine) as s, s.begin():
            account = s.get(Account, ident)
            if account is None:
                raise RosterError(f"no account {ident!r}: import the roster first")
            account.password_hash = self.hasher.hash(password)

    def issue_token(self, ident: str) -> str:
        """A one-time sign-in token for ``ident`` (replacing any earlier one)."""
        token = secrets.token_urlsafe(24)
        with Session(self.engine) as s, s.begin():
            account = s.get(Account, ident)
            if account is None:
                raise RosterError(f"no account {ident!r}: import the roster first")
            account.token_sha256 = _digest(token)
        return token

    def check_password(self, ident: str, password: str) -> Account | None:
        account = self.account(ident)
        if account is None or not account.password_hash:
            self.hasher.hash("spend the same time as a real check")    # no account oracle by timing
            return None
        try:
            self.hasher.verify(account.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return account

    def spend_token(self, token: str) -> Account | None:
        digest = _digest(token)
        with self.writing, Session(self.engine) as s, s.begin():
            account = s.scalars(select(Account).where(Account.token_sha256 == digest)).first()
            if account is None:
                return None
            account.token_sha256 = None
            s.flush()
            s.expunge(account)
            return account

    def issue_upload_token(self, ident: str) -> str:
        """A new upload token for ``ident``; any earlier one stops working. Stored as its sha256."""
        token = "upload-" + secrets.token_urlsafe(32)
        with self.writing, Session(self.engine) as s, s.begin():
            if s.get(Account, ident) is None:
                raise RosterError(f"no account {ident!r}: import the roster first")
            for old in s.scalars(select(UploadToken).where(UploadToken.student == ident)).all():
                s.delete(old)
            s.add(UploadToken(student=ident, sha256=_digest(token),
                              created_at=datetime.now(timezone.utc)))
        return token

    def upload_token_owner(self, token: str) -> Account | None:
        digest = _digest(token)
        with Session(self.engine) as s:
            row = s.scalars(select(UploadToken).where(UploadToken.sha256 == digest)).first()
            account = s.get(Account, row.student) if row else None
            if account is not None:
                s.expunge(account)
            return account

    # -- uploads -----------------------------------------------------------------------------
    def file_path(self, sha256: str) -> Path:
        return self.files / sha256[:2] / sha256

    def store(self, assignment: str, student: str, data: bytes, filename: str) -> Stored:
        """Write the file durably, then commit its receipt; the receipt time is this server's clock."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.file_path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        with self.writing, Session(self.engine) as s, s.begin():
            received = datetime.now(timezone.utc)     # under the lock: receipt ids and times agree in order
            row = Receipt(assignment=assignment, student=student, sha256=digest, size=len(data),
                          filename=filename[:300], received_at=received)
            s.add(row)
            s.flush()
            rid = row.id
        return Stored(rid, assignment, student, digest, len(data), filename[:300], received)

    def receipts(self, student: str | None = None, assignment: str | None = None) -> list[Stored]:
        q = select(Receipt).order_by(Receipt.received_at, Receipt.id)
        if student is not None:
            q = q.where(Receipt.student == student)
        if assignment is not None:
            q = q.where(Receipt.assignment == assignment)
        with Session(self.engine) as s:
            return [self._stored(r) for r in s.scalars(q)]

    def receipt(self, rid: int) -> Stored | None:
        with Session(self.engine) as s:
            r = s.get(Receipt, rid)
            return self._stored(r) if r else None

    def latest(self, assignment: str) -> dict[str, Stored]:
        """Each student's last upload of ``assignment``."""
        out: dict[str, Stored] = {}
        for r in self.receipts(assignment=assignment):
            out[r.student] = r
        return out

    @staticmethod
    def _stored(r: Receipt) -> Stored:
        return Stored(r.id, r.assignment, r.student, r.sha256, r.size, r.filename, _aware(r.received_at))

    # -- feedback ----------------------------------------------------------------------------
    def release_feedback(self, assignment: str, author: str) -> None:
        with self.writing, Session(self.engine) as s, s.begin():
            if not s.scalars(select(FeedbackRelease).where(FeedbackRelease.assignment == assignment)).first():
                s.add(FeedbackRelease(assignment=assignment, released_at=datetime.now(timezone.utc), author=author))

    def feedback_released(self, assignment: str) -> bool:
        with Session(self.engine) as s:
            return s.scalars(select(FeedbackRelease).where(FeedbackRelease.assignment == assignment)).first() is not None
