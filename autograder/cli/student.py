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
@click.option("--to", "url", default=None, metavar="URL",
              help="Also upload NOTEBOOK to the course's service at URL and print its receipt.")
@click.option("--password", default=None, help="--to: your service password (asked when not given; "
              "or set COURSE_PASSWORD).", envvar="COURSE_PASSWORD")
@click.option("--token", default=None, help="--to: your upload token from your page of the service, instead "
              "of the password (or set COURSE_TOKEN).", envvar="COURSE_TOKEN")
def submit_cmd(notebook, student, out_dir, url, password, token):
    """Package NOTEBOOK with a manifest into <assignment>_<student>_<time>.zip (and, with --to,
    upload it to the course's service, which stamps the receipt with its own clock)."""
    from autograder.student.submit import read_notebook, submit

    path = submit(notebook, student, out_dir)
    click.echo(f"wrote {path}")
    if url is None:
        click.echo("Upload this file. Submitting again later replaces it (the latest counts).")
        return
    from autograder.service.client import ServiceClient, ServiceError

    data = notebook.read_bytes()
    assignment = read_notebook(data, str(notebook)).metadata["course"]["assignment"]   # submit() checked it
    client = ServiceClient(url)
    try:
        if token:
            client.use_token(token)
        else:
            client.sign_in(student, password or click.prompt("Password", hide_input=True))
        r = client.upload(assignment, data, notebook.name)
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    finally:
        client.close()
    if r.status_code != 201:
        raise click.ClickException(f"{url} refused the upload ({r.status_code}): {client.reason(r)}")
    receipt = r.json()
    click.echo(f"receipt {receipt['receipt']}: {receipt['assignment']} received {receipt['received_at']} "
               f"(server time), {receipt['size']} bytes, sha256 {receipt['sha256']}")
    if receipt.get("student") != student:
        click.secho(f"stored as {receipt.get('student')}'s submission (the token's owner), not {student}'s",
                    fg="yellow", err=True)


COMMANDS = [check_cmd, submit_cmd]
