"""``course serve`` (the web service), ``course roster`` (its accounts) and ``course grade-uploads``
(grading its uploads from a terminal)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

from autograder.cli.base import CourseCommand, CourseGroup
from autograder.cli.options import backend_option, db_option, dist_dir, dist_option

DATA_DIR = "course-service"      # files/, reports/, results/ and the session secret


def _store(db: str | None, data: Path):
    from autograder.cli.options import db_url
    from autograder.service.store import ServiceStore

    return ServiceStore(db_url(db), data / "files")


def _secret(data: Path) -> str:
    """The session-signing key, made once and kept readable by this user only."""
    path = data / "session-secret"
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


data_option = click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=Path(DATA_DIR),
                           show_default=True, help="Where uploads, reports and the session secret live.")


@click.command("serve", cls=CourseCommand)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@db_option
@dist_option
@data_option
@backend_option
@click.option("--https-only", is_flag=True, help="Send the session cookie over HTTPS only (behind a TLS proxy).")
@click.option("--proxy", "proxies", default="", metavar="ADDRESSES",
              help="Behind a reverse proxy on another machine: its addresses (comma-separated), whose "
                   "X-Forwarded-For gives the client's address (sign-in limits count per address). A proxy on "
                   "this machine (127.0.0.1) is trusted without it.")
def serve_cmd(host, port, db, dist, data, backend, https_only, proxies):
    """Run the course's web service: uploads with receipts, feedback behind a login, grading."""
    import uvicorn

    from autograder.cli.options import db_url
    from autograder.service.app import create_app

    app = create_app(_store(db, data), dist_dir(dist), db_url(db), data, _secret(data), backend=backend,
                     https_only=https_only)
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 (a proxy on this machine) unless told other addresses;
    # a client elsewhere cannot choose the address the sign-in limits count
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True, forwarded_allow_ips=proxies or None)


@click.group("roster", cls=CourseGroup)
def roster_group():
    """The service's accounts: import a roster, set a password, issue a sign-in link."""


@roster_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@data_option
def roster_import(csv_file, db, data):
    """Add or update accounts from CSV_FILE (id, name, email, section, role)."""
    n = _store(db, data).import_roster(csv_file)
    click.echo(f"{n} accounts from {csv_file}")


@roster_group.command("password")
@click.argument("ident")
@db_option
@data_option
@click.password_option()
def roster_password(ident, db, data, password):
    """Set IDENT's password (at least 10 characters; stored as an argon2 hash)."""
    _store(db, data).set_password(ident, password)
    click.echo(f"password set for {ident}")


@roster_group.command("token")
@click.argument("idents", nargs=-1, required=True)
@db_option
@data_option
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True)
def roster_token(idents, db, data, base_url):
    """Print a one-time sign-in link for each of IDENTS (a new link replaces an older one)."""
    store = _store(db, data)
    for ident in idents:
        click.echo(f"{ident},{base_url.rstrip('/')}/login/token/{store.issue_token(ident)}")


@roster_group.command("upload-token")
@click.argument("idents", nargs=-1, required=True)
@db_option
@data_option
def roster_upload_token(idents, db, data):
    """Print a new upload token for each of IDENTS, for `course submit --to URL --token T` (students
    can also make their own on their page); an earlier token of theirs stops working."""
    store = _store(db, data)
    for ident in idents:
        click.echo(f"{ident},{store.issue_upload_token(ident)}")


@click.command("grade-uploads", cls=CourseCommand)
@click.argument("assignment")
@click.argument("students", nargs=-1)
@db_option
@dist_option
@data_option
@backend_option
def grade_uploads_cmd(assignment, students, db, dist, data, backend):
    """Grade each student's latest upload to the service (STUDENTS: only these, graded again), the
    late penalty from the receipt times, then write the pages the service shows: what the staff
    page's "Grade latest submissions" does, from a terminal (a cron job, say)."""
    from autograder.cli.options import db_url
    from autograder.service.app import grade_latest

    click.echo(grade_latest(_store(db, data), assignment, dist_dir(dist), db_url(db), data, backend,
                            set(students) or None))


COMMANDS = [serve_cmd, roster_group, grade_uploads_cmd]
