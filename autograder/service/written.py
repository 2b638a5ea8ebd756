"""The TAs' side of written (manual) questions in ``course serve``: every student's answer to one
question on one page, beside the model answer and the rubric, with points and a comment saved
to the gradebook per student (who and when; the latest counts; earlier ones kept), and the
students' pages rewritten so the points show at once.

nbgrader's formgrader is the model: a page per question, "14 of 52 graded", saved as you go.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from autograder.gradebook import WRITTEN_NO_COMMENT, Gradebook, Override
from autograder.reports.model import AssignmentInfo, load_class
from autograder.reports.render import write_reports
from autograder.reports.written_answers import Answer, answer_in_file, render_markdown
from autograder.service.store import ServiceStore


@dataclass
class WrittenQuestion:
    name: str
    points: float
    rubric: list[dict]
    model_answer: str

    def model_answer_html(self) -> Markup:
        return render_markdown(self.model_answer or "_(no model answer in the master notebook)_")


@dataclass
class Row:
    anchor: str
    student: str
    answer: Answer
    latest: Override | None
    history: int                   # how many times this answer was graded

    @property
    def comment(self) -> str:
        reason = self.latest.reason if self.latest else ""
        return "" if reason == WRITTEN_NO_COMMENT else reason


def written_questions(bundle: Path) -> dict[str, WrittenQuestion]:
    """The release's written questions (``written.json``; a release made before it: questions.json)."""
    path = Path(bundle) / "written.json"
    if path.is_file():
        spec = json.loads(path.read_text(encoding="utf-8"))["questions"]
        return {name: WrittenQuestion(name, float(q["points"]), q.get("rubric") or [], q.get("model_answer") or "")
                for name, q in spec.items()}
    questions = json.loads((Path(bundle) / "questions.json").read_text(encoding="utf-8"))["questions"]
    return {q["name"]: WrittenQuestion(q["name"], float(q["points"]), q.get("rubric") or [], "")
            for q in questions if q.get("manual")}


def progress(gb: Gradebook, assignment: str, questions: dict[str, WrittenQuestion]) -> dict[str, tuple[int, int]]:
    """question -> (answers graded, students graded by the autograder)."""
    students = {g.student for g in gb.grades(assignment)}
    done: dict[str, set[str]] = {q: set() for q in questions}
    for o in gb.overrides(assignment):
        if o.question in done and o.student in students:
            done[o.question].add(o.student)
    return {q: (len(done[q]), len(students)) for q in questions}


def rows(gb: Gradebook, store: ServiceStore, assignment: str, question: str) -> list[Row]:
    """Every graded student's answer to ``question`` (from the notebook that was graded), with its grade."""
    latest: dict[str, Override] = {}
    count: dict[str, int] = {}
    for o in gb.overrides(assignment):
        if o.question == question:
            latest[o.student] = o
            count[o.student] = count.get(o.student, 0) + 1
    out = []
    for i, g in enumerate(gb.grades(assignment)):
        answer = (answer_in_file(store.file_path(g.notebook_sha256), question) if g.notebook_sha256
                  else Answer(problem="no notebook was graded (the submission could not be read)"))
        out.append(Row(f"s{i}", g.student, answer, latest.get(g.student), count.get(g.student, 0)))
    return out


def refresh_reports(gb: Gradebook, bundle: Path, out_dir: Path, only: set[str] | None = None) -> None:
    """Rewrite the assignment's pages after staff changed points: ``only`` these students' (and the
    dashboard), or every page."""
    write_reports(load_class(gb, AssignmentInfo.load(Path(bundle).parent.name, bundle)), out_dir, only)


class PageRefresher:
    """Keeps an assignment's pages in step with staff's saves without making a TA wait for them.

    One student's page (and the dashboard) is rewritten before the save is answered (under a
    second). A written question's first grade moves every total's maximum, so every page must be
    rewritten: in a class of 300 with their plots to draw that is most of a minute, so it runs in
    a thread, once per assignment at a time; saves that arrive meanwhile are folded into one more
    pass after it (a pass reads the gradebook when it starts)."""

    def __init__(self, gradebook, dist: Path, reports: Path):
        """``gradebook``: a function giving the service's Gradebook (made on first use)."""
        self.gradebook, self.dist, self.reports = gradebook, Path(dist), Path(reports)
        self.lock = threading.Lock()
        self.running: dict[str, bool] = {}       # assignment -> another pass is owed

    def refresh(self, assignment: str, student: str | None) -> None:
        """``student``'s page now, or (``None``) every page in the background."""
        with self.lock:
            if assignment in self.running:       # a pass is rewriting everything: owe one more
                self.running[assignment] = True
                return
            if student is None:
                self.running[assignment] = False
        if student is not None:
            self._write(assignment, {student})
            return
        threading.Thread(target=self._every_page, args=(assignment,), daemon=True).start()

    def busy(self, assignment: str) -> bool:
        with self.lock:
            return assignment in self.running

    def _every_page(self, assignment: str) -> None:
        while True:
            try:
                self._write(assignment, None)
            except Exception as e:  # noqa: BLE001 - a thread must not die silently; the next save retries
                print(f"rewriting the pages of {assignment} failed: {type(e).__name__}: {e}", file=sys.stderr,
                      flush=True)
            with self.lock:
                if not self.running[assignment]:
                    del self.running[assignment]
                    return
                self.running[assignment] = False

    def _write(self, assignment: str, only: set[str] | None) -> None:
        refresh_reports(self.gradebook(), self.dist / assignment / "autograder", self.reports / assignment, only)
