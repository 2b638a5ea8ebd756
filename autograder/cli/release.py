"""``course release`` and ``course solutions``."""

from __future__ import annotations

from pathlib import Path

import click

from autograder.cli.base import CourseCommand


PACKAGE_DIR = "course-package"


def _course_package(folder: Path) -> dict:
    """The student wheel and the zoo pack in ``folder``; the pack's name and sha256 for the releases."""
    from autograder.release.student_package import build_wheel
    from course_lib.models import pack

    wheel = build_wheel(folder)
    try:
        info = pack.pack(folder / ".zoo-pack.tar.gz")
    except pack.PackError as e:
        raise click.ClickException(str(e)) from None
    final = folder / f"zoo-{info.sha256[:12]}.tar.gz"
    for old in folder.glob("zoo-*.tar.gz"):
        old.unlink()
    info.path.replace(final)
    click.echo(f"student package: {wheel}\nzoo pack: {final} (sha256 {info.sha256})")
    return {"file": final.name, "sha256": info.sha256}


def _default_assignments_dir() -> Path:
    from course_lib.paths import repo_root

    return repo_root() / "assignments"


@click.command("release", cls=CourseCommand)
@click.argument("assignment_ids", nargs=-1)
@click.option("--all", "release_all", is_flag=True, help="Release every assignment.")
@click.option("--out", default="dist", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where dist/<id>/ goes.")
@click.option("--format", "fmt", type=click.Choice(["otter", "nbgrader"]), default="otter", show_default=True,
              help="nbgrader also writes an nbgrader source tree to dist/<id>/nbgrader/.")
@click.option("--gradescope", is_flag=True, help="Also build dist/<id>/gradescope/<id>-gradescope.zip: a Gradescope autograder running this engine.")
@click.option("--assignments", "assignments_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of assignments (default: the checkout's assignments/).")
@click.option("--package", "student_package", is_flag=True,
              help="Also write dist/course-package/: the student wheel and the zoo pack the release records.")
def release_cmd(assignment_ids, release_all, out, fmt, gradescope, assignments_dir, student_package):
    """Build the student and autograder versions of assignments.

    Writes dist/<id>/student/ (notebook without solutions, public tests, README) and
    dist/<id>/autograder/ (reference notebook, all tests, manifest). Every assignment is
    parsed before anything is written; on any error nothing is written. With --package, also
    dist/course-package/ (what students install: the wheel and the zoo pack).
    """
    from autograder.authoring.master import AssignmentFormatError, find_assignments, load_assignment
    from autograder.release.pipeline import release

    root = assignments_dir or _default_assignments_dir()
    if release_all == bool(assignment_ids):
        raise click.UsageError("name assignments to release, or pass --all (not both)")
    folders = find_assignments(root) if release_all else [root / i for i in assignment_ids]
    if not folders:
        raise click.ClickException(f"no assignments (folders with assignment.toml) in {root}")

    parsed, errors = [], []
    for folder in folders:
        try:
            parsed.append(load_assignment(folder))
        except AssignmentFormatError as exc:
            errors.append(str(exc))
    if len(errors) == 1:
        raise click.ClickException(f"{errors[0]} (nothing was written)")
    if errors:
        for e in errors:
            click.echo(f"error: {e}", err=True)
        raise click.ClickException(f"{len(errors)} assignments could not be parsed; nothing was written")

    pack = _course_package(out / PACKAGE_DIR) if student_package else None
    for a in parsed:
        result = release(a.root, out, fmt=fmt, gradescope=gradescope, assignment=a, pack=pack)
        n_public = sum(not t.hidden for t in a.tests)
        click.echo(f"released {a.id}: {len(a.questions)} questions, {a.total_points} points, "
                   f"{n_public} public / {len(a.tests) - n_public} hidden tests -> {result.folder}")


@click.command("solutions", cls=CourseCommand)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a module differs from its master notebook.")
@click.option("--assignments", "assignments_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of assignments (default: the checkout's assignments/).")
def solutions_cmd(check, assignments_dir):
    """Write solutions/lab_<id>.py, each lab's reference solution as a module, from the master notebooks."""
    from autograder.release.solution_modules import sync
    from course_lib.paths import repo_root

    changed = sync(assignments_dir or _default_assignments_dir(), repo_root() / "solutions", repo_root(), check=check)
    for path in changed:
        click.echo(f"{'differs from its master notebook' if check else 'wrote'}: {path}")
    if check and changed:
        raise click.ClickException(f"{len(changed)} solution module(s) out of date: run `course solutions`")
    if not changed:
        click.echo("solutions/ matches the master notebooks")


COMMANDS = [release_cmd, solutions_cmd]
