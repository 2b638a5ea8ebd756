"""Write ``reports/<id>/index.html`` (staff dashboard) and ``reports/<id>/<student>.html``.

Each page is one self-contained file: CSS inline, plots as base64 PNG, no JavaScript, no
external URL; the dashboard links to the student pages by relative links, and a student page
links nowhere, so it can be mailed or uploaded on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from autograder.reports import plots
from autograder.reports.model import ClassView, StudentView, fmt_points, fmt_time
from course_lib.paths import atomic_write_text

MAX_SAMPLES = 20
SAMPLE_CHARS = 2000


def environment() -> Environment:
    env = Environment(loader=PackageLoader("autograder.reports", "templates"),
                      autoescape=select_autoescape(["html"], default_for_string=True, default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pts"] = fmt_points
    env.filters["when"] = fmt_time
    env.filters["pct"] = lambda x: f"{100 * float(x or 0):.0f}%"
    env.filters["num"] = _num
    return env


def _num(x) -> str:
    if x is None or x == "":
        return "–"
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{f:.4g}" if math.isfinite(f) else str(f)


def _text(x) -> str:
    s = x if isinstance(x, str) else ("" if x is None else str(x))
    return s if len(s) <= SAMPLE_CHARS else s[:SAMPLE_CHARS] + " [...]"


def artifacts_view(artifacts) -> dict | None:
    """The optional ``artifacts`` of a result, checked and with its plots drawn.

    ``{"samples": [{"input", "student", "reference"}], "curves": {name: [float]},
    "metrics": [{"name", "student", "reference", "threshold"}]}``; anything malformed is left
    out rather than failing the page.
    """
    if not isinstance(artifacts, dict):
        return None
    samples = [{k: _text(x.get(k)) for k in ("input", "student", "reference")}
               for x in artifacts.get("samples") or [] if isinstance(x, dict)][:MAX_SAMPLES]
    curves = artifacts.get("curves") if isinstance(artifacts.get("curves"), dict) else {}
    metrics = [m for m in artifacts.get("metrics") or [] if isinstance(m, dict)]
    metrics = [{k: m.get(k) for k in ("name", "student", "reference", "threshold")} for m in metrics]
    curves_plot = plots.loss_curves(curves) if curves else None
    metrics_plot = plots.metric_bars(metrics) if metrics else None
    if not (samples or curves_plot or metrics):
        return None
    return {"samples": samples, "curves_plot": curves_plot, "curve_names": ", ".join(map(str, curves)),
            "metrics": metrics, "metrics_plot": metrics_plot}


@dataclass
class Written:
    dashboard: Path
    students: dict[str, Path] = field(default_factory=dict)


def render_student(view: StudentView, info, env: Environment | None = None) -> str:
    env = env or environment()
    return env.get_template("student.html").render(s=view, info=info, artifacts=artifacts_view(view.artifacts))


def render_dashboard(view: ClassView, env: Environment | None = None, similar: list | None = None) -> str:
    """``similar``: the pairs `course similarity` flagged (None when it has not run)."""
    env = env or environment()
    stats = view.stats()
    mark = view.pass_threshold * view.max_score if view.max_score else None
    histogram = plots.score_histogram([s.final for s in view.students], view.max_score, mark) if view.students else ""
    return env.get_template("dashboard.html").render(
        view=view, info=view.info, stats=stats, histogram=histogram, attention=view.needs_a_human(),
        questions=view.question_rates(), tests=view.test_rates(), failures=view.common_failures(),
        slowest=view.slowest(), hungriest=view.hungriest(), students=view.students,
        generated=datetime.now(timezone.utc), similar=similar)


def write_reports(view: ClassView, out_dir: Path, only: set[str] | None = None) -> Written:
    """Render every page of ``view`` into ``out_dir`` (``reports/<id>``); with ``only``, just
    those students' pages and the dashboard (one student's points changed)."""
    out_dir = Path(out_dir)
    env = environment()
    written = Written(dashboard=out_dir / "index.html")
    for s in view.students:
        if only is not None and s.student not in only:
            continue
        path = out_dir / s.filename
        atomic_write_text(path, render_student(s, view.info, env))
        written.students[s.student] = path
    from autograder.reports.similarity import flagged_pairs

    atomic_write_text(written.dashboard, render_dashboard(view, env, flagged_pairs(out_dir)))
    return written
