"""``feedback`` in hidden tests: plain, capped artifacts in the result, drawn on the student's page.

Public tests may not use it (a malformed case in ``toy_notebooks.MALFORMED``); the engine puts
what hidden tests record into ``result["artifacts"]`` (``tests/test_grading_backends.py``).
"""

from __future__ import annotations

import math

from autograder.grading.feedback import MAX_CHARS, MAX_SAMPLES, Feedback
from autograder.reports.render import artifacts_view


def test_nothing_recorded_means_no_artifacts():
    assert Feedback().artifacts() is None


def test_values_are_coerced_and_capped():
    fb = Feedback()
    for i in range(MAX_SAMPLES + 5):
        fb.sample(input=f"dialogue {i}", student=["not", "a", "string"], reference="x" * (MAX_CHARS + 10))
    fb.metric("ROUGE-L", "0.5", reference=0.6, threshold=float("nan"))
    fb.metric("broken", object())
    fb.curve("loss", [3.0, 2.5, "2.0", None, float("inf")])
    fb.curve("not a list", 5)
    art = fb.artifacts()
    assert len(art["samples"]) == MAX_SAMPLES
    assert art["samples"][0]["student"] == "['not', 'a', 'string']"
    assert len(art["samples"][0]["reference"]) == MAX_CHARS
    assert art["metrics"][0] == {"name": "ROUGE-L", "student": 0.5, "reference": 0.6, "threshold": None}
    assert art["metrics"][1]["student"] is None
    assert art["curves"] == {"loss": [3.0, 2.5, 2.0]}
    view = artifacts_view(art)
    assert view["samples"] and view["curves_plot"] and view["metrics"]
    assert all(math.isfinite(m["student"]) for m in view["metrics"][:1])

