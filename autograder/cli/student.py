"""``course check`` and ``course submit``: what a student runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from autograder.cli.base import CourseCommand


@click.command("check", cls=CourseCommand)
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--question", "-q", default=None, help="Only this question's public tests.")
@click.option("--timeout", "cell_timeout_s", type=float, default=None,
              help="Stop any cell that runs longer than this many seconds.")
def check_cmd(notebook, question, cell_timeout_s):
    """Run NOTEBOOK top to bottom, then its public tests; exit 1 if any fails."""
    from autograder.student.check import check_notebook, format_report

    report = check_notebook(notebook, question, cell_timeout_s)
    click.echo(format_report(report))
    sys.exit(0 if report.ok else 1)


@click.command("submit", cls=CourseCommand)
@click.argument("notebook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--student", required=True, help="Your student id.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the zip (default: next to the notebook).")
def submit_cmd(notebook, student, out_dir):
    """Package NOTEBOOK with a manifest into <assignment>_<student>_<time>.zip."""
    from autograder.student.submit import submit

    path = submit(notebook, student, out_dir)
    click.echo(f"wrote {path}\nUpload this file. Submitting again later replaces it (the latest counts).")


COMMANDS = [check_cmd, submit_cmd]
