"""``course report`` (feedback pages and the staff dashboard) and ``course export``."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.cli.base import CourseCommand
from autograder.cli.options import db_option, dist_dir, dist_option, open_gradebook
from course_lib.paths import repo_root


def _class_view(assignment: str, db: str | None, dist: str | None, pass_threshold: float = 0.5,
                margin: float = 0.05):
    from autograder.reports import AssignmentInfo, load_class

    info = AssignmentInfo.load(assignment, bundle_dir=dist_dir(dist) / assignment / "autograder",
                               assignment_dir=repo_root() / "assignments" / assignment)
    view = load_class(open_gradebook(db), info, pass_threshold=pass_threshold, margin=margin)
    if not view.students:
        raise click.ClickException(f"nothing is graded for {assignment!r} in the gradebook: "
                                   f"run `course grade {assignment} SUBMISSIONS` first")
    return view


def _fraction(ctx, param, value):
    if value is not None and not 0 <= value <= 1:
        raise click.BadParameter("must be a fraction between 0 and 1 (0.05 = 5%)")
    return value


def _term_options(f):
    f = click.option("--term", is_flag=True, help="The whole term (course.toml) instead of one ASSIGNMENT.")(f)
    return click.option("--course", "course_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="--term: the term's weights and categories (default: course.toml in the checkout).")(f)


def _assignment_or_term(assignment: str | None, term: bool) -> None:
    if bool(assignment) == term:
        raise click.UsageError("name an ASSIGNMENT, or pass --term (not both)")


def _term_view(course_file, db, dist, roster):
    from autograder.reports import read_roster
    from autograder.reports.term import load_term, term_view

    config = load_term(course_file or repo_root() / "course.toml")
    return term_view(open_gradebook(db), config, dist_dir(dist), read_roster(Path(roster)) if roster else None)


@click.command("report", cls=CourseCommand)
@click.argument("assignment", required=False)
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for the pages (default: reports/<assignment>/, or reports/term/).")
@_term_options
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), default=None,
              help="--term: a CSV with a `student` column; everyone on it gets a row, submitted or not.")
@click.option("--pass-threshold", type=float, default=0.5, show_default=True, callback=_fraction,
              help="Pass mark as a fraction of the maximum (for the dashboard's 'needs a human' list).")
@click.option("--margin", type=float, default=0.05, show_default=True, callback=_fraction,
              help="Flag final scores within this fraction of the maximum from the pass mark or from full marks.")
@db_option
@dist_option
def report_cmd(assignment, out, term, course_file, roster, pass_threshold, margin, db, dist):
    """Write feedback pages for every student and the staff dashboard (--term: the term's table).

    reports/<assignment>/<student>.html is the student's page (scores after overrides and the
    late penalty, each test's outcome, what went wrong and why); reports/<assignment>/index.html
    is for staff only. Every page is a single offline file.
    """
    from autograder.reports import write_reports

    _assignment_or_term(assignment, term)
    if term:
        from autograder.reports.render import environment
        from autograder.reports.term import write_term_page

        view = _term_view(course_file, db, dist, roster)
        page = write_term_page(view, Path(out) if out else repo_root() / "reports" / "term", environment())
        click.echo(f"the term, {len(view.rows)} students and {len(view.config.assignments)} assignments: {page}")
        return
    view = _class_view(assignment, db, dist, pass_threshold, margin)
    folder = Path(out) if out else repo_root() / "reports" / assignment
    written = write_reports(view, folder)
    attention = view.needs_a_human()
    click.echo(f"{len(written.students)} student pages and the dashboard in {folder}")
    click.echo(f"dashboard: {written.dashboard}")
    if attention:
        click.echo(f"needs a human: {len(attention)} ({', '.join(a.student for a in attention[:10])}"
                   f"{', ...' if len(attention) > 10 else ''})")


@click.command("export", cls=CourseCommand)
@click.argument("assignment", required=False)
@_term_options
@click.option("--format", "fmt", type=click.Choice(["csv", "canvas", "gradescope"]), default="csv",
              show_default=True, help="csv: ours, per question; canvas: Gradebook import; gradescope: score upload.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
@click.option("--points-possible", type=float, default=None,
              help="Rescale final scores to this many points (the LMS assignment's worth).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV with a `student` column and any of name, email, sid, canvas_id, sis_user_id, "
                   "sis_login_id, section.")
@click.option("--canvas-column", default=None,
              help="canvas: the assignment column header, e.g. 'Prompting (123456)' from a Canvas export.")
@db_option
@dist_option
def export_cmd(assignment, term, course_file, fmt, out, points_possible, roster, canvas_column, db, dist):
    """Export final scores (overrides and late penalties applied) for a spreadsheet, Canvas or Gradescope.

    --term: one file for the term, a column per assignment and the weighted total (csv or canvas);
    everyone on --roster gets a row.
    """
    from autograder.reports import export, read_roster

    _assignment_or_term(assignment, term)
    if term:
        from course_lib.paths import atomic_write_text
        from autograder.reports.term import export_term

        view = _term_view(course_file, db, dist, roster)
        text = export_term(view, fmt, read_roster(Path(roster)) if roster else None)
        if out:
            atomic_write_text(Path(out), text)
            click.echo(f"{len(view.rows)} students -> {out} ({fmt}, the term)", err=True)
        else:
            click.echo(text, nl=False)
        return

    view = _class_view(assignment, db, dist)
    text, warnings = export(view, fmt, points_possible=points_possible,
                            roster=read_roster(Path(roster)) if roster else None, canvas_column=canvas_column)
    for w in warnings:
        click.secho(f"warning: {w}", fg="yellow", err=True)
    if out:
        from course_lib.paths import atomic_write_text

        atomic_write_text(Path(out), text)
        click.echo(f"{len(view.students)} students -> {out} ({fmt})", err=True)
    else:
        click.echo(text, nl=False)


@click.command("similarity", cls=CourseCommand)
@click.argument("assignment")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="The report folder (default: reports/<assignment>/); pages go to its similarity/.")
@dist_option
def similarity_cmd(assignment, submissions, out, dist):
    """Flag pairs of students whose own code or written answers are unusually similar (staff only).

    Reads the submissions as `course grade` does, subtracts the released starter code, and writes
    reports/<assignment>/similarity/ (an index and a page per flagged pair, matches highlighted);
    `course report` then lists the pairs on the dashboard. Threshold and k: [similarity] in
    assignment.toml.
    """
    from autograder.authoring.config import load_config
    from autograder.reports.render import environment
    from autograder.reports.similarity import write_similarity

    released = dist_dir(dist) / assignment
    bundle, student = released / "autograder", released / "student" / f"{assignment}.ipynb"
    if not (bundle / "assignment.toml").is_file() or not student.is_file():
        raise click.ClickException(f"{released} has no release of {assignment!r}: run `course release {assignment}` first")
    config = load_config(bundle / "assignment.toml")
    folder = Path(out) if out else repo_root() / "reports" / assignment
    flagged, problems, index = write_similarity(student, submissions, assignment, config.title, folder,
                                                config.similarity, environment())
    for line in problems:
        click.echo(f"not compared: {line}", err=True)
    click.echo(f"{len(flagged)} flagged pair(s); staff only: {index}")
    for p in flagged[:10]:
        click.echo(f"  {p.a} – {p.b} ({p.kind}): {p.share_a:.0%} / {p.share_b:.0%}")


COMMANDS = [report_cmd, export_cmd, similarity_cmd]
