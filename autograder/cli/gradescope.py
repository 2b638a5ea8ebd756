"""``course gradescope-run``: what a Gradescope autograder zip's ``run_autograder`` calls.

Grades the one submission in Gradescope's submission folder with this engine (the student's
notebook in its own process as ``nobody``, the tests here, the release's recorded reference)
and writes Gradescope's ``results.json`` (``reports/gradescope_results.py``). A result is
written whatever happens, so the student always sees a row: an unreadable upload scores zero
with the reason; a grader failure scores zero, says so, and exits 1 for staff to see.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from autograder.cli.base import CourseCommand
from autograder.cli.options import backend_option


STAFF_PROBLEM = ("The autograder itself failed, not your notebook; this score is a placeholder. "
                 "Tell course staff, who can see the reason in Gradescope's autograder output.")


def _student(metadata: Path) -> str:
    """The submitter's id from Gradescope's ``submission_metadata.json`` (``gradescope`` without one)."""
    try:
        users = json.loads(metadata.read_text(encoding="utf-8")).get("users") or [{}]
        first = users[0] if isinstance(users[0], dict) else {}
        return str(first.get("sid") or first.get("email") or first.get("id") or "gradescope")
    except (OSError, ValueError, AttributeError, IndexError):
        return "gradescope"


def _write(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1), encoding="utf-8")


@click.command("gradescope-run", cls=CourseCommand)
@click.argument("bundle_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("submission_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("results_json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--metadata", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("/autograder/submission_metadata.json"), show_default=True,
              help="Gradescope's submission metadata (who submitted).")
@backend_option
def gradescope_run_cmd(bundle_dir, submission_dir, results_json, metadata, backend):
    """Grade Gradescope's SUBMISSION_DIR against BUNDLE_DIR (dist/<id>/autograder) into RESULTS_JSON.

    The backend defaults to `user` (an unprivileged uid: Gradescope's containers allow no namespaces).
    """
    from autograder.grading.bundle import Bundle, check_same_zoo
    from autograder.grading.engine import grade_notebook
    from autograder.grading.results import without_results, without_staff_detail
    from autograder.grading.submissions import one_submission
    from autograder.isolation.registry import get_backend
    from autograder.reports.gradescope_results import gradescope_results

    try:
        check_same_zoo(bundle_dir)
        bundle = Bundle.load(bundle_dir)
    except Exception as e:  # noqa: BLE001 - a broken image still owes the student a row
        _write(results_json, {"score": 0, "tests": [], "output": STAFF_PROBLEM})
        raise click.ClickException(f"the autograder cannot start: {type(e).__name__}: {e}") from None
    hidden = {t["name"]: t for t in bundle.tests if t.get("hidden")}
    student = _student(metadata)
    sub = one_submission(submission_dir, student, bundle.assignment_id)
    if sub.error:
        result = without_results(bundle.assignment_id, bundle.questions, student, sub.error)
    else:
        try:
            be = get_backend(backend or "user")
            be.prepare(bundle.folder)
            result = grade_notebook(bundle, sub.notebook_bytes(), be, student=student)
        except Exception as e:  # noqa: BLE001 - the student must see a row, staff the reason
            _write(results_json, gradescope_results(
                without_results(bundle.assignment_id, bundle.questions, student, STAFF_PROBLEM),
                hidden, bundle.config.gradescope_hidden))
            raise click.ClickException(f"grading {submission_dir} failed: {type(e).__name__}: {e}") from None
    _write(results_json, gradescope_results(without_staff_detail(result), hidden, bundle.config.gradescope_hidden))
    click.echo(f"{bundle.assignment_id} {student}: {result['score']:g} / {result['max_score']:g} "
               f"({result['exit_reason']}) -> {results_json}")


COMMANDS = [gradescope_run_cmd]
