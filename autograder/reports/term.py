"""The whole term in one table (``course report --term``, ``course export --term``).

``course.toml`` (next to ``assignments/``, or ``--course FILE``) says how the term adds up::

    title = "Generative AI with LLMs, fall 2026"
    missing = "zero"            # work never submitted: "zero" counts 0, "excused" leaves it out

    [categories.labs]
    weight = 70                 # weights are relative: 70 and 30 = 70 % and 30 %
    drop_lowest = 1             # the lowest N scores of the category do not count
    assignments = ["00-warmup", "01-prompting", "02-fine-tuning"]

    [categories.project]
    weight = 30
    assignments = ["05-rag"]

Each assignment's score is the gradebook's final score (overrides, then the late penalty from
the student's own, possibly extended, deadline) as a fraction of its autograded points. A
category's score is the mean of its fractions after dropping the lowest ``drop_lowest`` (never
all of them); the total is the weighted mean of the categories that have a score. Missing
work is shown as missing, and counts 0 or is left out as ``missing`` says. Every student who
has a grade for any of the term's assignments, or is on the roster, has a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import CourseError
from autograder.gradebook import Gradebook, final_score, total_max, written_in_grading

MISSING = ("zero", "excused")


class TermError(CourseError, ValueError):
    """A ``course.toml`` or a term that cannot be added up, with the file and the reason."""


@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    drop_lowest: int
    assignments: tuple[str, ...]


@dataclass(frozen=True)
class TermConfig:
    title: str
    missing: str
    categories: tuple[Category, ...]

    @property
    def assignments(self) -> list[str]:
        return [a for c in self.categories for a in c.assignments]


def load_term(path: Path) -> TermConfig:
    from autograder.authoring.config import read_toml

    path = Path(path)
    data = read_toml(path, TermError, "the term view needs a course.toml (see `course report --help`)")
    unknown = sorted(set(data) - {"title", "missing", "categories"})
    if unknown:
        raise TermError(f"{path}: `{unknown[0]}` is not a known key; known: categories, missing, title")
    missing = data.get("missing", "zero")
    if missing not in MISSING:
        raise TermError(f'{path}: `missing` must be "zero" or "excused", not {missing!r}')
    cats = data.get("categories")
    if not isinstance(cats, dict) or not cats:
        raise TermError(f"{path}: needs at least one [categories.<name>] with weight and assignments")
    categories, seen = [], set()
    for name, c in cats.items():
        where = f"{path}: [categories.{name}]"
        if not isinstance(c, dict) or set(c) - {"weight", "drop_lowest", "assignments"}:
            raise TermError(f"{where} takes weight, drop_lowest and assignments only")
        weight, drop = c.get("weight"), c.get("drop_lowest", 0)
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight <= 0:
            raise TermError(f"{where} `weight` must be a number above 0, not {weight!r}")
        if not isinstance(drop, int) or isinstance(drop, bool) or drop < 0:
            raise TermError(f"{where} `drop_lowest` must be a whole number, 0 or more, not {drop!r}")
        names = c.get("assignments")
        if not isinstance(names, list) or not names or not all(isinstance(a, str) and a for a in names):
            raise TermError(f"{where} `assignments` must be a list of assignment ids")
        twice = sorted(seen & set(names))
        if twice:
            raise TermError(f"{where} lists {twice[0]}, which another category has too")
        seen |= set(names)
        categories.append(Category(name, float(weight), drop, tuple(names)))
    return TermConfig(data.get("title", "Term"), missing, tuple(categories))


@dataclass
class Cell:
    final: float | None             # None: nothing graded
    points: float
    late_days: int = 0
    extended: bool = False
    overridden: bool = False
    dropped: bool = False

    @property
    def missing(self) -> bool:
        return self.final is None

    @property
    def fraction(self) -> float | None:
        return None if self.final is None or not self.points else self.final / self.points


@dataclass
class TermRow:
    student: str
    cells: dict[str, Cell]
    categories: dict[str, float | None] = field(default_factory=dict)      # percent
    total: float | None = None                                               # percent


@dataclass
class TermView:
    config: TermConfig
    titles: dict[str, str]
    points: dict[str, float]
    rows: list[TermRow]


def _release_facts(dist: Path, assignment: str) -> tuple[str, float | None, dict[str, float]]:
    """(title, autograded points, written question -> points) from the release, where there is one."""
    bundle = Path(dist) / assignment / "autograder"
    written: dict[str, float] = {}
    try:
        questions = json.loads((bundle / "questions.json").read_text())["questions"]
        points = float(sum(q["points"] for q in questions if not q.get("manual")))
        written = {q["name"]: float(q["points"]) for q in questions if q.get("manual")}
    except (OSError, KeyError, ValueError):
        points = None
    title = assignment
    if (bundle / "assignment.toml").is_file():
        from autograder.authoring.config import load_config

        title = load_config(bundle / "assignment.toml", default_title=assignment).title
    return title, points, written


def add_up(row: TermRow, config: TermConfig) -> TermRow:
    """Fill ``row``'s category scores and total (and mark its dropped cells) under ``config``."""
    weighted, weights = 0.0, 0.0
    for c in config.categories:
        scored = []
        for a in c.assignments:
            cell = row.cells[a]
            if cell.missing and config.missing == "excused":
                continue
            scored.append((cell.fraction or 0.0, a))
        scored.sort()
        drop = min(c.drop_lowest, max(len(scored) - 1, 0))
        for _, a in scored[:drop]:
            row.cells[a].dropped = True
        kept = [f for f, _ in scored[drop:]]
        row.categories[c.name] = 100 * sum(kept) / len(kept) if kept else None
        if kept:
            weighted += c.weight * row.categories[c.name]
            weights += c.weight
    row.total = weighted / weights if weights else None
    return row


def term_view(gradebook: Gradebook, config: TermConfig, dist: Path, roster: dict | None = None) -> TermView:
    titles, points, grades = {}, {}, {}
    for a in config.assignments:
        title, top, written = _release_facts(dist, a)
        graded = gradebook.grades(a)
        titles[a] = title
        overrides: dict[str, list] = {}
        for o in gradebook.overrides(a):
            overrides.setdefault(o.student, []).append(o)
        counted = written_in_grading(graded, [o for rows in overrides.values() for o in rows])
        if top is not None:
            points[a] = top + sum(p for name, p in written.items() if name in counted)
        else:
            points[a] = max((total_max(g, counted) for g in graded), default=0.0)
        if not points[a]:
            raise TermError(f"{a}: neither a release in {dist} nor a grade says how many points it is worth")
        extended = {e.student for e in gradebook.extensions(a)}
        # a cell is marked overridden for staff's changes to autograded points; a written grade is routine
        grades[a] = {g.student: Cell(final_score(g, overrides.get(g.student, []))[0], points[a], g.late_days or 0,
                                     g.student in extended,
                                     any(o.question not in written for o in overrides.get(g.student, [])))
                     for g in graded}
    students = sorted({s for by in grades.values() for s in by} | set(roster or {}))
    rows = [add_up(TermRow(s, {a: grades[a].get(s) or Cell(None, points[a]) for a in config.assignments}), config)
            for s in students]
    return TermView(config, titles, points, rows)


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def export_term(view: TermView, fmt: str, roster: dict | None = None) -> str:
    """The term as CSV: ``csv`` (ours) or ``canvas`` (Canvas's gradebook import layout)."""
    import csv
    import io

    roster = roster or {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    assignments = view.config.assignments

    def cell(r: TermRow, a: str) -> str:
        c = r.cells[a]
        if c.missing:
            return "0" if view.config.missing == "zero" else ""
        return _num(c.final)

    if fmt == "csv":
        w.writerow(["student", *assignments, *(f"{c.name} %" for c in view.config.categories), "total %"])
        for r in view.rows:
            w.writerow([r.student, *(cell(r, a) for a in assignments),
                        *("" if r.categories[c.name] is None else _num(r.categories[c.name]) for c in view.config.categories),
                        "" if r.total is None else _num(r.total)])
    elif fmt == "canvas":
        # Canvas's export/import layout: identity columns, one column per assignment named
        # "<title> (<id>)", a "Points Possible" row; the total is one more assignment out of 100
        total_column = f"{view.config.title} total (term)"
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                    *(f"{view.titles[a]} ({a})" for a in assignments), total_column])
        w.writerow(["Points Possible", "", "", "", "", *(_num(view.points[a]) for a in assignments), "100"])
        from autograder.reports.lms_export import canvas_identity

        for r in view.rows:
            w.writerow([*canvas_identity(r.student, roster), *(cell(r, a) for a in assignments),
                        "" if r.total is None else _num(r.total)])
    else:
        raise TermError(f"--term exports csv or canvas; Gradescope takes one assignment's scores per upload: "
                        f"use `course export ID --format gradescope` for each (not {fmt!r})")
    return buf.getvalue()


def write_term_page(view: TermView, out: Path, env) -> Path:
    """``out/index.html``: the term table and the distribution of totals (``env``: the reports' jinja)."""
    from datetime import datetime, timezone

    from autograder.reports.model import page_name
    from autograder.reports.plots import score_histogram
    from course_lib.paths import atomic_write_text

    totals = [r.total for r in view.rows if r.total is not None]
    html = env.get_template("term.html").render(
        view=view, page=page_name, generated=datetime.now(timezone.utc),
        total_weight=sum(c.weight for c in view.config.categories),
        histogram=score_histogram(totals, 100.0, None) if totals else "")
    path = Path(out) / "index.html"
    atomic_write_text(path, html)
    return path
