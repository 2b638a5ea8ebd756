"""One grading result as Gradescope's ``results.json`` (its autograder specification).

Every test is a row: public tests ``visible``, hidden tests at the assignment's
``[gradescope] hidden`` visibility, each with only what a student page would show (a hidden
test's ``failure_message``, never its code or assertion: :func:`student_message`). A manual
question is a row with its ``max_score`` and no ``score`` (staff grade it in Gradescope), so
the assignment's total is right. The top-level ``output`` is the feedback page's content in
Markdown: the score, why the run ended, each question, failed cells, and the metrics and
samples the tests recorded next to the reference's.
"""

from __future__ import annotations

from autograder.reports.model import ERROR_CHARS, _truncate, explain_exit, fmt_points, student_message

MAX_SAMPLES = 3


def _row(test: dict, number: str, spec: dict | None, hidden_visibility: str) -> dict:
    return {"name": f"{test['question']}: {test['name']}", "number": number,
            "score": float(test.get("points", 0.0)), "max_score": float(test.get("max_points", 0.0)),
            "status": "passed" if test.get("status") == "passed" else "failed",
            "output": student_message(test, spec), "output_format": "text",
            "visibility": hidden_visibility if test.get("hidden") else "visible"}


def _artifacts_md(artifacts: dict | None) -> list[str]:
    if not artifacts:
        return []
    lines = []
    if artifacts.get("metrics"):
        lines += ["", "## What your saved work measured", "", "| measure | yours | reference |", "| --- | --- | --- |"]
        for m in artifacts["metrics"]:
            lines.append(f"| {m['name']} | {fmt_points(m['student'])} | {fmt_points(m['reference'])} |")
    for s in artifacts.get("samples", [])[:MAX_SAMPLES]:
        lines += ["", f"**Input:** {_truncate(s['input'], 400)}", "", f"**Yours:** {_truncate(s['student'], 400)}"]
        if s.get("reference") is not None:
            lines += ["", f"**Reference:** {_truncate(s['reference'], 400)}"]
    return lines


def summary_markdown(result: dict) -> str:
    """The student page's content, as Markdown."""
    lines = [f"# {result['assignment']}: {fmt_points(result['score'])} / {fmt_points(result['max_score'])} points",
             "", explain_exit(result), "", "| question | points |", "| --- | --- |"]
    for name, q in result.get("questions", {}).items():
        shown = "graded by staff" if q.get("manual") else f"{fmt_points(q['points'])} / {fmt_points(q['max_points'])}"
        lines.append(f"| {name} | {shown} |")
    failed = [c for c in result.get("cells", []) if c.get("status") not in (None, "ok")]
    if failed:
        lines += ["", "## Cells that failed", ""]
        for c in failed:
            lines += [f"Cell {c.get('index')} ({c.get('status')}):", "", "```",
                      _truncate(str(c.get("error") or ""), ERROR_CHARS), "```", ""]
    lines += _artifacts_md(result.get("artifacts"))
    return "\n".join(lines).rstrip() + "\n"


def gradescope_results(result: dict, hidden_specs: dict[str, dict], hidden_visibility: str) -> dict:
    """``results.json`` for one graded submission (``result`` as the engine returns it, staff
    detail removed; ``hidden_specs``: the release's hidden tests by name)."""
    rows = []
    for qi, (name, q) in enumerate(result.get("questions", {}).items(), start=1):
        if q.get("manual"):
            rows.append({"name": f"{name}: graded by staff", "number": f"{qi}", "max_score": float(q["max_points"]),
                         "output": "A written answer: course staff grade it in Gradescope after the deadline.",
                         "output_format": "text", "visibility": "visible"})
            continue
        # an all-or-nothing question with a failed test earns nothing: so do its rows
        forfeited = sum(t.get("points", 0.0) for t in q.get("tests", [])) > q["points"] + 1e-9
        for ti, test in enumerate(q.get("tests", []), start=1):
            row = _row(test, f"{qi}.{ti}", hidden_specs.get(test["name"]), hidden_visibility)
            rows.append(dict(row, score=0.0) if forfeited else row)
    return {"score": float(result["score"]), "execution_time": round(float(result.get("runtime_s") or 0.0)),
            "output": summary_markdown(result), "output_format": "md", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": rows}
