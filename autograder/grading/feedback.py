"""``feedback``: what a test chooses to show the student next to its verdict.

Tests run in the grading process with ``feedback`` in their globals::

    feedback.sample(input=dialogue, student=summary, reference=ref_summary)
    feedback.metric("ROUGE-L (test slice)", score, reference=ref_score, threshold=0.9 * ref_score)
    feedback.curve("training loss", losses)

The calls collect plain data (strings, floats) into the result's ``artifacts``, which the
student's report draws (samples side by side, a metrics chart, loss curves). It is opt-in: a
hidden test's expected values stay secret unless its author passes them here on purpose.
Everything is coerced and capped, so a student's object can neither break nor flood a page.
"""

from __future__ import annotations

import math

MAX_SAMPLES = 20
MAX_METRICS = 40
MAX_CURVES = 8
MAX_POINTS = 2000
MAX_CHARS = 2000


def _text(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:MAX_CHARS]


def _number(value) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


class Feedback:
    def __init__(self):
        self.samples: list[dict] = []
        self.metrics: list[dict] = []
        self.curves: dict[str, list[float]] = {}

    def sample(self, input, student, reference=None) -> None:  # noqa: A002 - the report's field name
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append({"input": _text(input), "student": _text(student),
                                 "reference": None if reference is None else _text(reference)})

    def metric(self, name: str, student, reference=None, threshold=None) -> None:
        if len(self.metrics) < MAX_METRICS:
            self.metrics.append({"name": _text(name)[:200], "student": _number(student),
                                 "reference": _number(reference), "threshold": _number(threshold)})

    def curve(self, name: str, values) -> None:
        if len(self.curves) >= MAX_CURVES:
            return
        try:
            points = [_number(v) for v in list(values)[:MAX_POINTS]]
        except TypeError:
            return
        self.curves[_text(name)[:200]] = [p for p in points if p is not None]

    def artifacts(self) -> dict | None:
        if not (self.samples or self.metrics or self.curves):
            return None
        return {"samples": self.samples, "metrics": self.metrics, "curves": self.curves}
