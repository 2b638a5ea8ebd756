"""``course models build | verify | list | pack | install``: the tiny model zoo."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from autograder.cli.base import CourseGroup


def _check_names(names, known: list[str]) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.BadParameter(f"unknown model(s) {', '.join(unknown)}; the zoo has {', '.join(known)}")


@click.group("models", cls=CourseGroup)
def models() -> None:
    """Build and inspect the tiny model zoo (offline, deterministic)."""


@models.command("build")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Rebuild even if an up-to-date copy exists.")
def build_cmd(names: tuple[str, ...], force: bool) -> None:
    """Build NAMES (default: the whole zoo) into $COURSE_HOME/models; up-to-date models are skipped."""
    from course_lib.models import zoo
    from course_lib.paths import models_dir

    start = time.perf_counter()
    wanted = list(names) or list(zoo.ZOO)
    _check_names(wanted, list(zoo.ZOO))
    for i, name in enumerate(wanted, 1):
        state = "up to date" if (zoo.is_current(name) and not force) else "building"
        click.echo(f"[{i}/{len(wanted)}] {name}: {state}")
        zoo.build(name, log=lambda m: click.echo(f"    {m}"), force=force)
    if not names:
        # graders mount the cache read-only: the data sets must exist before the first grading
        from course_lib import data

        for name in data.names():
            data.materialize(name)
        click.echo(f"data sets ready: {', '.join(data.names())}")
    click.echo(f"zoo ready in {models_dir()} ({time.perf_counter() - start:.1f}s)")


@models.command("verify")
@click.argument("names", nargs=-1)
@click.option("--record", is_flag=True,
              help="Record NAMES (default: the tokenizer and every model) as present as the reference build "
                   "(after an intended recipe change); the other records stay.")
def verify_cmd(names: tuple[str, ...], record: bool) -> None:
    """Compare the zoo's bytes with the hashes the repository records; exit 1 on a difference."""
    from course_lib.models import zoo

    _check_names(names, ["tokenizer", *zoo.ZOO])
    if record:
        zoo.record_hashes(list(names) or None)
        click.echo(f"recorded {', '.join(names) or 'the tokenizer and every model'} in {zoo.RECORDED}")
        return
    problems = zoo.verify(list(names) or None)
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"the zoo matches the recorded build ({', '.join(names or ['tokenizer', *zoo.ZOO])})")


@models.command("list")
def list_cmd() -> None:
    """Show each model's card: parameters, size, weight hash, build metrics."""
    from course_lib.models import zoo

    for name in zoo.ZOO:
        try:
            c = zoo.card(name)
        except FileNotFoundError:
            click.echo(f"{name:14s} not built")
            continue
        kernels = (c.get("numerics") or {}).get("aten_capability", "?")
        click.echo(f"{name:14s} {c['parameters']:>10,} params  {c['size_bytes'] / 1e6:6.1f} MB  "
                   f"sha256 {c['weights_sha256'][:12]}  {kernels}  {json.dumps(c['metrics'])}")


@models.command("pack")
@click.argument("names", nargs=-1)
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The pack to write (default: zoo-<sha256 prefix>.tar.gz here).")
def pack_cmd(names: tuple[str, ...], out: Path | None) -> None:
    """Write the zoo (NAMES, default all; the tokenizer and the data sets always) as one file."""
    from course_lib.models import pack

    try:
        info = pack.pack(out or Path(".zoo-pack.tar.gz"), list(names) or None)
    except pack.PackError as e:
        raise click.ClickException(str(e)) from None
    if out is None:         # named by its content, so two courses' packs never mix
        final = Path(f"zoo-{info.sha256[:12]}.tar.gz")
        info.path.replace(final)
        info = pack.PackInfo(final, info.sha256, info.manifest)
    size = info.path.stat().st_size / 1e6
    click.echo(f"wrote {info.path} ({size:.1f} MB, {len(info.manifest['files'])} files)\nsha256 {info.sha256}")
    click.echo(f"install it anywhere with: course models install {info.path.name} --sha256 {info.sha256}")


@models.command("install")
@click.argument("source")
@click.option("--sha256", default=None, help="Refuse the pack unless its sha256 is this (as `pack` printed it).")
def install_cmd(source: str, sha256: str | None) -> None:
    """Check the zoo pack SOURCE (a file, or a URL your course staff host) and install it."""
    from course_lib.models import pack, zoo
    from course_lib.paths import cache_root

    try:
        manifest = pack.install(source, sha256)
    except pack.PackError as e:
        raise click.ClickException(str(e)) from None
    for name, digest in sorted(manifest["models"].items()):
        click.echo(f"  {name:14s} sha256 {digest[:12]}")
    click.echo(f"installed {len(manifest['models'])} models and {len(manifest['data'])} data sets into {cache_root()}")
    for line in zoo.verify(list(manifest["models"])):     # installs fine, but is not the repository's build
        click.echo(f"note: {line}", err=True)


COMMANDS = [models]
