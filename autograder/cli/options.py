"""Options and folders the ``course`` sub-commands share."""

from __future__ import annotations

from pathlib import Path

import click

from course_lib.paths import repo_root


def dist_dir(dist: str | None) -> Path:
    return Path(dist) if dist else repo_root() / "dist"


def db_url(db: str | None) -> str:
    from autograder.gradebook import default_url

    return db or default_url(repo_root())


def open_gradebook(db: str | None):
    from autograder.gradebook import Gradebook

    return Gradebook(db_url(db))


def results_dir(results: str | None, assignment: str) -> Path:
    return (Path(results) if results else repo_root() / "results") / assignment


backend_option = click.option("--backend", type=click.Choice(["docker", "sandbox", "user", "local"]), default=None,
                              help="Isolation backend (default: docker if a daemon answers, else sandbox).")
db_option = click.option("--db", default=None, help="SQLAlchemy URL of the gradebook (default: sqlite:///gradebook.db).")
dist_option = click.option("--dist", default=None, help="Release folder (default: dist/).")
results_option = click.option("--results", default=None, help="Results folder (default: results/).")
