"""Plots as ``data:image/png;base64,...`` URIs, so a page works offline from a single file.

Uses matplotlib's object API (``Figure`` + Agg), never ``pyplot``: no global state, no GUI
backend, safe to call from any thread. A student's plots are drawn once per process and
remembered by their data: pages are rendered again whenever staff change points (``course
serve`` rewrites every page of a class at a written question's first grade), and drawing is
nearly all of a page's cost (0.3-0.6 s a plot here).
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math

from matplotlib.figure import Figure

BLUE, GREY, RED, GREEN = "#2b6cb0", "#a0aec0", "#c53030", "#2f855a"


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _finite(values) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return out


def score_histogram(scores: list[float], max_score: float, pass_mark: float | None = None) -> str:
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    top = max_score if max_score > 0 else max(scores + [1.0])
    bins = max(5, min(20, int(math.ceil(top)) * 2 if top <= 10 else 20))
    ax.hist(scores, bins=bins, range=(0, top), color=BLUE, edgecolor="white")
    if pass_mark is not None:
        ax.axvline(pass_mark, color=RED, linestyle="--", linewidth=1.2, label=f"pass mark {pass_mark:g}")
        ax.legend(loc="upper left", frameon=False)
    ax.set_xlabel(f"final score (out of {top:g})")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _remembered(draw):
    """``draw(data)``, memoised on the data's JSON (results are JSON, so every artifact has one).
    1,024 plots of 20-60 KB each: a class of several hundred, at most ~60 MB of the server's memory."""
    @functools.lru_cache(maxsize=1024)
    def from_json(key: str):
        return draw(json.loads(key))

    @functools.wraps(draw)
    def wrapper(data):
        try:
            key = json.dumps(data, sort_keys=True, allow_nan=True)
        except (TypeError, ValueError):
            return draw(data)
        return from_json(key)

    return wrapper


@_remembered
def loss_curves(curves: dict) -> str | None:
    """One line per named curve (e.g. ``{"train loss": [...], "eval loss": [...]}``)."""
    series = {str(name): _finite(values) for name, values in curves.items() if isinstance(values, (list, tuple))}
    series = {k: v for k, v in series.items() if v}
    if not series:
        return None
    fig = Figure(figsize=(6.5, 3.2))
    ax = fig.add_subplot()
    for name, values in series.items():
        ax.plot(range(1, len(values) + 1), values, marker="o" if len(values) <= 30 else None, markersize=3,
                label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("value")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


@_remembered
def metric_bars(metrics: list[dict]) -> str | None:
    """For each metric: your value and the reference's as bars, the threshold as a dashed line.

    One small panel per metric, each with its own scale (ROUGE and perplexity differ by orders
    of magnitude).
    """
    rows = []
    for m in metrics:
        if not isinstance(m, dict):
            continue
        student, reference, threshold = (_finite([m.get(k)]) for k in ("student", "reference", "threshold"))
        if not (student or reference):
            continue
        rows.append((str(m.get("name", "metric")), student, reference, threshold))
    if not rows:
        return None
    per_row = min(len(rows), 4)
    nrows = math.ceil(len(rows) / per_row)
    fig = Figure(figsize=(2.6 * per_row + 0.4, 2.9 * nrows))
    for i, (name, student, reference, threshold) in enumerate(rows):
        ax = fig.add_subplot(nrows, per_row, i + 1)
        labels, values, colors = [], [], []
        if student:
            labels.append("you"), values.append(student[0]), colors.append(BLUE)
        if reference:
            labels.append("reference"), values.append(reference[0]), colors.append(GREY)
        bars = ax.bar(labels, values, color=colors, width=0.6)
        ax.bar_label(bars, fmt="%.3g", fontsize=8)
        if threshold:
            ax.axhline(threshold[0], color=RED, linestyle="--", linewidth=1.2, label=f"threshold {threshold[0]:.3g}")
            ax.legend(fontsize=7, frameon=False, loc="lower center", bbox_to_anchor=(0.5, -0.35))
        ax.set_title(name, fontsize=10)
        ax.margins(y=0.15)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)
