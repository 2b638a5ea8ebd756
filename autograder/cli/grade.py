"""``course grade``, ``course validate``, ``course override``, ``course written``, ``course extend`` and
``course regrade``."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from pathlib import Path

import click

from autograder.cli.base import CourseCommand
from autograder.cli.options import (backend_option, db_option, dist_dir, dist_option, open_gradebook, results_dir,
                                    results_option)
from course_lib.paths import repo_root


def _bundle_dir(assignment: str, dist: str | None) -> Path:
    from autograder.grading.bundle import check_same_zoo

    folder = dist_dir(dist) / assignment / "autograder"
    if not (folder / "tests.json").exists():
        raise click.ClickException(f"{folder} has no release of {assignment!r}: run `course release {assignment}` first")
    check_same_zoo(folder)
    return folder


def _backend(name: str | None, base_image: str | None = None):
    from autograder.isolation.registry import get_backend

    backend = get_backend(name)
    if base_image and backend.name == "docker":
        backend.base_image = base_image
    if not backend.safe:
        click.secho("WARNING: the local backend runs submissions UNSANDBOXED as you, with network and full file "
                    "access. Use it only for your own notebooks.", fg="yellow", err=True)
    return backend


def _grade(assignment, submissions, backend, workers, db, dist, results, regrade, base_image, students=None,
           cluster=None, received=None):
    from autograder.grading.class_grading import grade_class, summary_table
    from autograder.grading.submissions import read_received

    bundle_dir = _bundle_dir(assignment, dist)      # a wrong release or zoo stops before anything starts
    # on a cluster each worker makes the backend (the best it has, unless named) and checks its zoo
    be = backend if cluster else _backend(backend, base_image)
    gb = open_gradebook(db)
    summary = grade_class(bundle_dir, Path(submissions), be, gb,
                          results_dir(results, assignment), workers=workers, regrade=regrade, students=students,
                          progress=sys.stderr.isatty(), cluster=cluster,
                          received=read_received(Path(received)) if received else None)
    click.echo(summary_table(summary))
    graded = {r["student"] for r in summary.graded}
    if students:
        failed = {f.split(":", 1)[0] for f in getattr(summary, "failed", [])}   # "<student>: the grader failed ..."
        missing = sorted(set(students) - graded - set(summary.skipped) - failed)
        if missing:
            click.secho(f"no submission in {submissions} for: {', '.join(missing)}", fg="yellow", err=True)
    for line in _overrides_kept(gb, assignment, graded):
        click.echo(line)


def _overrides_kept(gb, assignment: str, students: set[str]) -> list[str]:
    """One line per just-graded student whose overrides still apply, with the final score."""
    from autograder.gradebook import final_score, total_max, written_in_grading

    overrides: dict[str, list] = {}
    every = gb.overrides(assignment)
    for o in every:
        if o.student in students:
            overrides.setdefault(o.student, []).append(o)
    if not overrides:
        return []
    lines = ["staff's points kept (overrides and written answers; they apply on top of the new automatic score):"]
    grades = gb.grades(assignment)
    counted = written_in_grading(grades, every)
    for g in grades:
        if g.student in overrides:
            final, _ = final_score(g, overrides[g.student])
            latest = {o.question: o for o in overrides[g.student]}
            what = ", ".join(f"{q} = {o.points:g} ({o.author})" for q, o in sorted(latest.items()))
            late = f", late -{g.late_penalty:.0%}" if g.late_penalty else ""
            lines.append(f"  {g.student}: {what}; automatic {g.score:g}{late} -> final {final:g} / "
                         f"{total_max(g, counted):g}")
    return lines


received_option = click.option(
    "--received", type=click.Path(exists=True, dir_okay=False), default=None,
    help="CSV of when the LMS received each submission (student, received_at): the late policy's times.")


@click.command("grade", cls=CourseCommand)
@click.argument("assignment")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@backend_option
@click.option("--workers", "-j", type=int, default=2, show_default=True, help="Submissions graded in parallel.")
@db_option
@dist_option
@results_option
@click.option("--regrade", is_flag=True, help="Grade again even what is already graded and unchanged.")
@click.option("--base-image", default=None, help="docker: an existing image to build on instead of debootstrap.")
@click.option("--cluster", default=None, metavar="tcp://HOST:PORT | local:N",
              help="Grade on a Dask cluster (one task per submission; this process writes every result).")
@received_option
def grade_cmd(assignment, submissions, backend, workers, db, dist, results, regrade, base_image, cluster, received):
    """Grade every submission in SUBMISSIONS (notebooks, `course submit` zips or LMS downloads).

    Resumable: a rerun skips students whose graded notebook is unchanged. Lateness comes from
    when a submission was received (the LMS's record, --received, or the file's time), never
    from the time in a zip's manifest.
    """
    _grade(assignment, submissions, backend, workers, db, dist, results, regrade, base_image, cluster=cluster,
           received=received)


@click.command("regrade", cls=CourseCommand)
@click.argument("assignment")
@click.argument("students", nargs=-1)
@click.option("--submissions", type=click.Path(exists=True, file_okay=False), required=True,
              help="The folder the class was graded from.")
@backend_option
@click.option("--workers", "-j", type=int, default=2, show_default=True)
@db_option
@dist_option
@results_option
@received_option
def regrade_cmd(assignment, students, submissions, backend, workers, db, dist, results, received):
    """Grade STUDENTS again (all if none named). Overrides are kept and re-applied."""
    _grade(assignment, submissions, backend, workers, db, dist, results, True, None, set(students) or None,
           received=received)


@click.command("override", cls=CourseCommand)
@click.argument("assignment")
@click.argument("student")
@click.argument("question")
@click.argument("points", type=float)
@click.option("--reason", required=True, help="Why (shown to the student in the report).")
@click.option("--by", "author", default=None, help="Who (default: the current user).")
@db_option
def override_cmd(assignment, student, question, points, reason, author, db):
    """Set STUDENT's points for QUESTION by hand; survives regrades.

    Overrides are kept with who, when and why (shown on the student's report); the latest per
    question wins, and the late penalty still applies to the total.
    """
    from autograder.gradebook import final_score

    gb = open_gradebook(db)
    grade = gb.grade(assignment, student)
    before = final_score(grade, gb.overrides(assignment, student))[0] if grade else None
    gb.add_override(assignment, student, question, points, reason, author or getpass.getuser())
    after, _ = final_score(grade, gb.overrides(assignment, student))
    question_result = json.loads(grade.result_json)["questions"][question]
    maximum, auto = question_result["max_points"], question_result["points"]
    late = f" after the late penalty (-{grade.late_penalty:.0%})" if grade.late_penalty else ""
    click.echo(f"{student} {question}: {points:g}/{maximum:g} (autograder gave {auto:g}) - {reason.strip()}")
    click.echo(f"{student} final score{late}: {before:g} -> {after:g} / {grade.max_score:g}")


@click.command("written", cls=CourseCommand)
@click.argument("assignment")
@click.argument("student")
@click.argument("question")
@click.argument("points", type=float)
@click.option("--comment", default="", help="What the student reads beside the points.")
@click.option("--by", "author", default=None, help="Who (default: the current user).")
@db_option
def written_cmd(assignment, student, question, points, comment, author, db):
    """Give STUDENT's answer to the written QUESTION its points (the service's written-answers page
    does the same, with every answer, the model answer and the rubric on one page).

    Kept with who and when; the latest counts. Once any student's answer to QUESTION has points,
    every total of ASSIGNMENT counts QUESTION (an answer not graded yet as 0).
    """
    from autograder.gradebook import final_score, total_max, written_in_grading

    gb = open_gradebook(db)
    gb.save_written_grade(assignment, student, question, points, comment, author or getpass.getuser())
    grade = gb.grade(assignment, student)
    counted = written_in_grading(gb.grades(assignment), gb.overrides(assignment))
    final, _ = final_score(grade, gb.overrides(assignment, student))
    maximum = json.loads(grade.result_json)["questions"][question]["max_points"]
    click.echo(f"{student} {question}: {points:g}/{maximum:g}{' - ' + comment.strip() if comment.strip() else ''}")
    click.echo(f"{student} total: {final:g} / {total_max(grade, counted):g}")


@click.command("validate", cls=CourseCommand)
@click.argument("assignments", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Validate every assignment in assignments/.")
@click.option("--backend", type=click.Choice(["docker", "sandbox", "local"]), default="local", show_default=True,
              help="Where the solution, template and mutants run (they are staff code).")
@click.option("--workers", "-j", type=int, default=2, show_default=True)
@click.option("--quick", is_flag=True,
              help="One mutant per question, not every mutant, and one run of the solution checked against "
                   "the release's recording run, not three (what CI runs).")
@click.option("--probes/--no-probes", default=True, show_default=True,
              help="Probe for hidden tests that give points without the work: forged results (the solution's "
                   "values of the variables they read) and untrained artefacts (the zoo model in every folder "
                   "the solution saves).")
@dist_option
def validate_cmd(assignments, all_, backend, workers, dist, quick, probes):
    """Prove an assignment's tests: solution full marks, template zero, mutants caught, reruns identical.

    Releases the assignment first. Writes dist/<id>/validation.json; exits 1 on any failure.
    """
    from autograder.release.pipeline import release
    from autograder.release.validate import summary, table, validate, write_report

    names = _assignment_names(assignments, all_)
    be = _backend(backend)
    failed = False
    for name in names:
        folder = repo_root() / "assignments" / name
        click.echo(f"== {name}")
        try:
            out = release(folder, dist_dir(dist))
            checks = validate(folder, out.folder, be, workers=workers, quick=quick, probes=probes)
        except Exception as e:  # noqa: BLE001 - a broken assignment is reported; the others are still validated
            click.secho(f"{name}: {e}", fg="red", err=True)
            failed = True
            continue
        click.echo(table(checks))
        write_report(checks, out.folder / "validation.json")
        if not all(c.ok for c in checks):
            failed = True
            click.secho(f"{name}: validation FAILED{summary(checks)}", fg="red")
        else:
            click.secho(f"{name}: all {len(checks)} checks passed{summary(checks)}", fg="green")
    sys.exit(1 if failed else 0)


def _assignment_names(assignments, all_) -> list[str]:
    root = repo_root() / "assignments"
    if all_:
        names = sorted(p.name for p in root.iterdir() if (p / "assignment.toml").exists())
    else:
        names = list(assignments)
    if not names:
        raise click.UsageError("name an assignment or pass --all")
    for n in names:
        if not (root / n / "assignment.toml").exists():
            raise click.ClickException(f"no assignment {n!r} in {root}")
    return names


def _when(ctx, param, value):
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date and time, e.g. 2030-01-20T23:59:00+00:00") from None


@click.command("extend", cls=CourseCommand)
@click.argument("targets", nargs=-1, required=True, metavar="ASSIGNMENT STUDENT | --all STUDENT")
@click.option("--all", "every", is_flag=True,
              help="Every assignment of the term, those released later included (an accommodation).")
@click.option("--days", type=int, default=None, help="Days added to the assignment's deadline.")
@click.option("--until", default=None, callback=_when, help="The new deadline, with a timezone.")
@click.option("--reason", default=None, help="Why (shown to the student in the report).")
@click.option("--by", "author", default=None, help="Who (default: the current user).")
@click.option("--remove", is_flag=True, help="Remove the student's extensions for ASSIGNMENT (with --all: the roster's).")
@db_option
@dist_option
def extend_cmd(targets, every, days, until, reason, author, remove, db, dist):
    """Extend STUDENT's deadline for ASSIGNMENT (or every assignment); no regrade needed.

    Kept with who, when and why (shown on the student's page and the dashboard). Extensions do
    not add up: the latest deadline any of them gives counts. The late penalty of what is
    already graded is recomputed at once from the submission's stored time.
    """
    from autograder.authoring.config import load_config
    from autograder.gradebook import ALL_ASSIGNMENTS, final_score

    if len(targets) != (1 if every else 2):
        raise click.UsageError("give ASSIGNMENT STUDENT, or --all STUDENT")
    assignment, student = (ALL_ASSIGNMENTS, targets[0]) if every else targets
    gb = open_gradebook(db)
    if remove:
        n = gb.remove_extensions(assignment, student)
        click.echo(f"removed {n} extension(s) of {student} for {'every assignment' if every else assignment}")
    else:
        if reason is None:
            raise click.UsageError("--reason is required (the student reads it)")
        gb.add_extension(assignment, student, reason, author or getpass.getuser(), days=days, until=until)
    for a in (gb.assignments_graded(student) if every else [assignment]):
        bundle = dist_dir(dist) / a / "autograder"
        if not (bundle / "assignment.toml").is_file():
            click.echo(f"warning: {a}: no release in {bundle.parent}; its lateness is recomputed when it is graded",
                       err=True)
            continue
        config = load_config(bundle / "assignment.toml")
        before = gb.grade(a, student)
        after, deadline = gb.reapply_lateness(a, student, config.late, config.deadline)
        line = f"{a}: {student}'s deadline {deadline.isoformat() if deadline else '(none)'}"
        if after is not None:
            overrides = gb.overrides(a, student)
            line += (f"; final score {final_score(before, overrides)[0]:g} -> {final_score(after, overrides)[0]:g} "
                     f"/ {after.max_score:g} ({after.late_days} day(s) late, -{after.late_penalty:.0%})")
        click.echo(line)


COMMANDS = [grade_cmd, regrade_cmd, override_cmd, written_cmd, extend_cmd, validate_cmd]
