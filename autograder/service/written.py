"""The TAs' side of written (manual) questions in ``course serve``: every student's answer to one
question on one page, beside the model answer and the rubric, with points and a comment saved
to the gradebook per student (who and when; the latest counts; earlier ones kept), and the
students' pages rewritten so the points show at once.

nbgrader's formgrader is the model: a page per question, "14 of 52 graded", saved as you go.
"""

from __future__ import annotations

import json
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
    dashboard), or every page when the change moves every total's maximum (a written question's
    first grade)."""
    write_reports(load_class(gb, AssignmentInfo.load(Path(bundle).parent.name, bundle)), out_dir, only)
