"""What the pages and exports show, computed once from the gradebook.

The gradebook is the source of truth: each ``grades`` row carries the full result JSON
(the same dictionary as ``results/<id>/<student>.json``), its late days and late penalty
as computed at grading time, and ``overrides`` are applied on reading with
:func:`autograder.gradebook.final_score`, so every page and export shows the same number.

Nothing here renders HTML; :mod:`autograder.reports.render` and
:mod:`autograder.reports.lms_export` both build on :func:`load_class`.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from autograder.grading.engine import GENERIC_HIDDEN_FAILURE
from autograder.gradebook import (Extension, Grade, Gradebook, Override, extended_deadline, final_score, total_max,
                                  written_in_grading)

PROCESS_REASONS = ("timeout", "crash", "out-of-memory", "invalid")
ERROR_CHARS = 1500        # of a failed cell's error on a student page
MESSAGE_CHARS = 2000      # of one test message on a student page


# ---------------------------------------------------------------------------- assignment


@dataclass
class AssignmentInfo:
    """What the pages say about the assignment itself (from the release, when there is one)."""
    id: str
    title: str
    deadline: datetime | None = None
    late_policy: str = ""                    # plain words, empty when unknown
    hidden_tests: dict[str, dict] = field(default_factory=dict)   # name -> tests.json entry

    @classmethod
    def load(cls, assignment: str, bundle_dir: Path | None = None,
             assignment_dir: Path | None = None) -> "AssignmentInfo":
        """Read ``assignment.toml`` (and ``tests.json``) from the release, else the source folder."""
        from autograder.authoring.config import AssignmentFormatError, load_config

        info = cls(id=assignment, title=assignment)
        toml = None
        for folder in (bundle_dir, assignment_dir):
            if folder is not None and (Path(folder) / "assignment.toml").exists():
                toml = Path(folder) / "assignment.toml"
                break
        if toml is not None:
            try:
                config = load_config(toml, default_title=assignment)
            except AssignmentFormatError:
                config = None
            if config is not None:
                info.title = config.title
                info.deadline = config.deadline
                info.late_policy = describe_late_policy(config.late, config.deadline)
        if bundle_dir is not None and (Path(bundle_dir) / "tests.json").exists():
            tests = json.loads((Path(bundle_dir) / "tests.json").read_text(encoding="utf-8"))["tests"]
            info.hidden_tests = {t["name"]: t for t in tests if t.get("hidden")}
        return info


def describe_late_policy(late, deadline: datetime | None) -> str:
    """``LatePolicy`` in plain words."""
    when = f" after the deadline ({fmt_time(deadline)})" if deadline else ""
    if late.policy == "per_day":
        text = (f"{late.percent_per_day:g}% of the score is removed for each day or part of a day "
                f"late{when}")
        if late.max_days is not None:
            text += f"; work more than {late.max_days} day{'s' if late.max_days != 1 else ''} late scores zero"
        return text + "."
    if late.policy == "cutoff":
        return (f"Late work{when} keeps its full score until {fmt_time(late.cutoff)} and scores zero "
                "after that.")
    return f"Late work{when} is recorded but not penalised."


def fmt_time(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is None:              # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def fmt_points(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{round(float(x), 2):g}"


# ---------------------------------------------------------------------------- one student


@dataclass
class TestView:
    name: str
    hidden: bool
    status: str
    points: float
    max_points: float
    message: str
    seconds: float | None

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class QuestionView:
    name: str
    max_points: float
    manual: bool
    raw: float                     # what the tests earned
    after_override: float | None   # None for a manual question nobody graded here
    final: float | None            # after the late penalty
    override: Override | None
    tests: list[TestView]

    @property
    def full(self) -> bool:
        return self.after_override is not None and self.after_override >= self.max_points - 1e-9


@dataclass
class StudentView:
    student: str
    filename: str                  # reports/<id>/<filename>
    grade: Grade
    result: dict
    overrides: list[Override]
    questions: list[QuestionView]
    raw_score: float               # the autograder's score
    after_overrides: float
    final: float                   # final_score(): overrides, then the late penalty
    max_score: float
    late_days: int
    late_penalty: float
    submitted_at: datetime | None
    exit_reason: str
    exit_detail: str
    explanation: str
    failed_cells: list[dict]
    runtime_s: float | None
    peak_memory_mb: float | None
    restarts: int
    graded_at: str
    artifacts: dict | None
    extensions: list = field(default_factory=list)   # gradebook Extension rows that apply
    deadline: datetime | None = None                 # the student's own: the assignment's, extended

    @property
    def tests(self) -> list[TestView]:
        return [t for q in self.questions for t in q.tests]

    @property
    def percent(self) -> float:
        return 100.0 * self.final / self.max_score if self.max_score else 0.0


SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,120}$")


def page_name(student: str) -> str:
    """A file name for the student's page: the id itself when it is a safe one."""
    if SAFE_NAME.match(student) and student.lower() != "index" and not student.endswith("."):
        return f"{student}.html"
    import hashlib

    slug = re.sub(r"[^A-Za-z0-9_.@+-]+", "_", student).strip("._")[:60] or "student"
    return f"{slug}-{hashlib.sha256(student.encode()).hexdigest()[:8]}.html"


def student_view(grade: Grade, overrides: list[Override], info: AssignmentInfo | None = None,
                 extensions: list[Extension] = (), counted_written: set[str] = frozenset()) -> StudentView:
    """One student's grade as the pages show it; ``counted_written``: the written questions whose
    grading has started (:func:`written_in_grading`), counted in the total's maximum."""
    result = json.loads(grade.result_json)
    final, per_question = final_score(grade, overrides)
    penalty = grade.late_penalty or 0.0
    latest: dict[str, Override] = {}
    for o in overrides:
        latest[o.question] = o
    hidden = info.hidden_tests if info else {}
    questions = []
    for name, q in result.get("questions", {}).items():
        tests = [TestView(name=t["name"], hidden=bool(t.get("hidden")) or t["name"] in hidden, status=t.get("status", ""),
                          points=float(t.get("points", 0.0)), max_points=float(t.get("max_points", 0.0)),
                          message=student_message(t, hidden.get(t["name"])), seconds=t.get("seconds"))
                 for t in q.get("tests", [])]
        after = per_question.get(name)
        if after is None and q.get("manual") and name in counted_written:
            after = 0.0                 # not graded yet, counted as 0 in the total (the pages say so)
        questions.append(QuestionView(
            name=name, max_points=float(q.get("max_points", 0.0)), manual=bool(q.get("manual")),
            raw=float(q.get("points", 0.0)), after_override=after,
            final=None if after is None else round(after * (1 - penalty), 6),
            override=latest.get(name), tests=tests))
    for name, o in latest.items():      # an override of a question this result does not know
        if name not in result.get("questions", {}):
            questions.append(QuestionView(name=name, max_points=0.0, manual=False, raw=0.0,
                                          after_override=o.points, final=round(o.points * (1 - penalty), 6),
                                          override=o, tests=[]))
    failed = [dict(c, error=_truncate(c.get("error") or "", ERROR_CHARS))
              for c in result.get("cells", []) if c.get("status") not in (None, "ok")]
    submitted = grade.submitted_at
    if submitted is None and (result.get("late") or {}).get("submitted_at"):
        submitted = datetime.fromisoformat(result["late"]["submitted_at"].replace("Z", "+00:00"))
    return StudentView(
        student=grade.student, filename=page_name(grade.student), grade=grade, result=result,
        overrides=list(overrides), questions=questions, raw_score=float(grade.score),
        after_overrides=round(sum(per_question.values()), 6), final=final,
        max_score=total_max(grade, counted_written),
        late_days=grade.late_days or 0, late_penalty=penalty, submitted_at=submitted,
        exit_reason=grade.exit_reason, exit_detail=result.get("exit_detail") or "",
        explanation=explain_exit(result), failed_cells=failed, runtime_s=grade.runtime_s,
        peak_memory_mb=grade.peak_memory_mb, restarts=int(result.get("restarts") or 0),
        graded_at=result.get("graded_at", ""), artifacts=result.get("artifacts"), extensions=list(extensions),
        deadline=extended_deadline(info.deadline, list(extensions)) if info else None)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + f"\n[... {len(text) - limit} more characters not shown]"


def student_message(test: dict, spec: dict | None) -> str:
    """The message a student may read. A hidden test's message is re-checked against its spec.

    The engine already reduces a failed hidden test's message to the author's
    ``failure_message`` (or a generic line); when the release's ``tests.json`` is at hand this
    holds any result to that, whatever wrote it, so an assertion's text (which can hold
    expected values) never reaches a student page.
    """
    message = str(test.get("message") or "")
    if spec is None:          # a public test, or no release at hand: the engine's message stands
        return _truncate(message, MESSAGE_CHARS)
    status = test.get("status")
    failure = spec.get("failure_message") or GENERIC_HIDDEN_FAILURE
    if status == "passed":
        return spec.get("success_message") or ""
    if status in ("failed", "error"):
        return message if message in (failure, GENERIC_HIDDEN_FAILURE) else failure
    # the process ended (timeout, crash, out-of-memory, not run): the message is the runner's,
    # but never let it quote the test
    if _quotes_code(message, spec.get("code", "")):
        return spec.get("failure_message") or f"A hidden test did not finish ({status})."
    return _truncate(message, MESSAGE_CHARS)


def _quotes_code(message: str, code: str, min_chars: int = 20) -> bool:
    """Whether ``message`` repeats a line of ``code`` or any run of ``min_chars`` characters of it."""
    if not message or not code:
        return False
    lines = [ln.strip() for ln in code.splitlines()]
    if any(len(ln) >= 6 and not ln.startswith("#") and ln in message for ln in lines):
        return True
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, message, code, autojunk=False).find_longest_match(0, len(message), 0, len(code))
    return m.size >= min_chars


CLAIM_SLACK = timedelta(minutes=15)     # clocks drift and uploads take time; more is worth a look


def claimed_before_received(result: dict) -> str | None:
    """Why a human should look when the zip's manifest claims a time well before the submission
    was received: the student's clock was wrong, or the field was edited (lateness ignores it)."""
    late = result.get("late") or {}
    claimed, received = late.get("claimed_at"), late.get("submitted_at")
    if not claimed or not received:
        return None
    c, r = (datetime.fromisoformat(x.replace("Z", "+00:00")) for x in (claimed, received))
    if c >= r - CLAIM_SLACK:
        return None
    return (f"the manifest claims {fmt_time(c)}, received {fmt_time(r)} ({late.get('received_from') or 'received'}): "
            "a wrong clock or an edited zip; lateness counts from the received time")


def explain_exit(result: dict) -> str:
    """The exit reason in words a student can act on."""
    reason = result.get("exit_reason", "ok")
    detail = result.get("exit_detail") or ""
    cells = result.get("cells") or []
    tests = [t for q in (result.get("questions") or {}).values() for t in q.get("tests", [])]
    not_run = [t for t in tests if str(t.get("message", "")).startswith("not run:")]
    cell = _cell_of(reason, detail, cells)
    where = f" in cell {cell}" if cell is not None else ""
    after = ""
    if not_run:
        after = (f" Grading stopped there: {len(not_run)} test{'s' if len(not_run) != 1 else ''} could not "
                 "run and scored zero; the tests that ran before it were graded.")
    elif cell is not None:
        after = (" That cell was skipped and the rest of your notebook was run again without it, so "
                 "questions that do not depend on it were still graded.")
    if reason == "ok":
        return "Your notebook ran to the end and every test ran."
    if reason == "timeout":
        if "time budget" in detail:
            return (f"Your notebook used its whole time budget{where} ({detail}). Tests that had not run by "
                    "then scored zero. Look for loops that run too long or training that uses too many steps.")
        return (f"Your notebook ran past its time limit{where} and was stopped.{after} Look for an infinite "
                "loop or training that runs too many steps.")
    if reason == "out-of-memory":
        return (f"Your notebook ran out of memory{where}.{after or ' The questions before it were graded.'} "
                "Use smaller batches or sequences, and do not keep every intermediate result.")
    if reason == "crash":
        return (f"Your notebook's process crashed{where} (it ended without finishing, for example by "
                f"calling os._exit or a library failing).{after}")
    if reason == "invalid":
        return (f"Your submission could not be graded: {detail or 'it is not a readable notebook'}. "
                "Nothing in it could run, so every question scored zero. Check that you submitted the "
                "assignment's .ipynb notebook and submit again.")
    return f"Grading ended with: {reason} {detail}".strip()


def _cell_of(reason: str, detail: str, cells: list[dict]) -> int | None:
    for c in cells:
        if c.get("status") == reason:
            return c.get("index")
    m = re.search(r"\bcell (\d+)", detail)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------- the class


@dataclass
class Attention:
    student: str
    filename: str
    reasons: list[str]


@dataclass
class ClassView:
    info: AssignmentInfo
    students: list[StudentView]
    pass_threshold: float            # fraction of the maximum
    margin: float                    # fraction of the maximum

    @property
    def max_score(self) -> float:
        return max((s.max_score for s in self.students), default=0.0)

    def stats(self) -> dict:
        finals = [s.final for s in self.students]
        if not finals:
            return {"count": 0}
        return {"count": len(finals), "mean": statistics.fmean(finals), "median": statistics.median(finals),
                "min": min(finals), "max": max(finals),
                "full": sum(1 for s in self.students if s.max_score and s.final >= s.max_score - 1e-9),
                "passed": sum(1 for s in self.students if s.max_score and s.final >= self.pass_threshold * s.max_score - 1e-9),
                "late": sum(1 for s in self.students if s.late_days),
                "exit": dict(sorted(Counter(s.exit_reason for s in self.students).items()))}

    def needs_a_human(self) -> list[Attention]:
        out = []
        for s in self.students:
            reasons = []
            if s.exit_reason != "ok":
                reasons.append(f"{s.exit_reason}: {s.exit_detail}" if s.exit_detail else s.exit_reason)
            if s.max_score:
                band = self.margin * s.max_score
                mark = self.pass_threshold * s.max_score
                if abs(s.final - mark) <= band + 1e-9:
                    reasons.append(f"{fmt_points(s.final)} is within {fmt_points(band)} of the pass mark "
                                   f"({fmt_points(mark)})")
                if s.final < s.max_score - 1e-9 and s.max_score - s.final <= band + 1e-9:
                    reasons.append(f"{fmt_points(s.final)} is within {fmt_points(band)} of full marks")
            claim = claimed_before_received(s.result)
            if claim:
                reasons.append(claim)
            written = {q.name for q in s.questions if q.manual}
            overridden = [o for o in s.overrides if o.question not in written]     # a written grade is routine
            if overridden:
                reasons.append("overridden: " + "; ".join(
                    f"{o.question} = {fmt_points(o.points)} by {o.author} ({o.reason})" for o in overridden))
            if reasons:
                out.append(Attention(s.student, s.filename, reasons))
        return out

    def question_rates(self) -> list[dict]:
        rows: dict[str, dict] = {}
        for s in self.students:
            for q in s.questions:
                if q.manual and q.override is None:
                    continue
                r = rows.setdefault(q.name, {"name": q.name, "max_points": q.max_points, "n": 0, "points": 0.0,
                                              "not_full": 0})
                r["n"] += 1
                r["points"] += q.after_override or 0.0
                r["not_full"] += 0 if q.full else 1
        for r in rows.values():
            r["mean"] = r["points"] / r["n"] if r["n"] else 0.0
            r["failure_rate"] = r["not_full"] / r["n"] if r["n"] else 0.0
        return list(rows.values())

    def test_rates(self) -> list[dict]:
        rows: dict[str, dict] = {}
        for s in self.students:
            for t in s.tests:
                r = rows.setdefault(t.name, {"name": t.name, "hidden": t.hidden, "n": 0, "failed": 0,
                                              "statuses": Counter()})
                r["n"] += 1
                if not t.passed:
                    r["failed"] += 1
                    r["statuses"][t.status] += 1
        for r in rows.values():
            r["failure_rate"] = r["failed"] / r["n"] if r["n"] else 0.0
            r["statuses"] = ", ".join(f"{k} {v}" for k, v in r["statuses"].most_common())
        return list(rows.values())

    def common_failures(self, limit: int = 15) -> list[dict]:
        counts: Counter = Counter()
        tests: dict[str, set] = defaultdict(set)
        for s in self.students:
            for t in s.tests:
                if t.passed:
                    continue
                key = _truncate((t.message or f"({t.status}, no message)").strip(), 300)
                counts[key] += 1
                tests[key].add(t.name)
        return [{"message": m, "count": n, "tests": ", ".join(sorted(tests[m]))}
                for m, n in counts.most_common(limit)]

    def slowest(self, limit: int = 5) -> list[StudentView]:
        return sorted((s for s in self.students if s.runtime_s is not None),
                      key=lambda s: -s.runtime_s)[:limit]

    def hungriest(self, limit: int = 5) -> list[StudentView]:
        return sorted((s for s in self.students if s.peak_memory_mb is not None),
                      key=lambda s: -s.peak_memory_mb)[:limit]


def load_class(gradebook: Gradebook, info: AssignmentInfo, pass_threshold: float = 0.5,
               margin: float = 0.05) -> ClassView:
    """Every graded student of ``info.id``, with overrides and late penalties applied."""
    by_student: dict[str, list[Override]] = defaultdict(list)
    for o in gradebook.overrides(info.id):
        by_student[o.student].append(o)
    extended: dict[str, list[Extension]] = defaultdict(list)
    for e in gradebook.extensions(info.id):
        extended[e.student].append(e)
    grades = gradebook.grades(info.id)
    counted = written_in_grading(grades, [o for rows in by_student.values() for o in rows])
    students = [student_view(g, by_student.get(g.student, []), info, extended.get(g.student, []), counted)
                for g in grades]
    return ClassView(info=info, students=students, pass_threshold=pass_threshold, margin=margin)
