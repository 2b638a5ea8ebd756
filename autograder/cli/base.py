"""The click classes every ``course`` command is made of: a user's mistake, raised anywhere below
as an :class:`autograder.errors.CourseError`, becomes click's one-line ``Error: ...`` and exit
code 1, whether the command runs under ``course`` or is invoked on its own (as tests do).

Sub-commands load lazily (:class:`LazyCourseGroup`): ``course --version`` imports no stage, and
the student package's ``course`` (``student_main``) ships only the modules of its own commands."""

from __future__ import annotations

import importlib
import os

import click

from autograder.errors import CourseError
from course_lib import numerics


class _OneLineErrors:
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CourseError as e:
            raise click.ClickException(str(e)) from None


class CourseCommand(_OneLineErrors, click.Command):
    pass


class CourseGroup(_OneLineErrors, click.Group):
    command_class = CourseCommand


class LazyCourseGroup(CourseGroup):
    """A group whose sub-commands are ``{name: module}``; a module (exposing ``COMMANDS``) is
    imported when one of its commands is listed or run."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name: str):
        if name in self.lazy and name not in self.commands:
            for cmd in importlib.import_module(self.lazy[name]).COMMANDS:
                self.add_command(cmd)
        return super().get_command(ctx, name)


def course_group(help_text: str, lazy: dict[str, str], package: str):
    """The ``course`` group over ``lazy``'s commands, with the settings every sub-command runs under."""

    @click.group(cls=LazyCourseGroup, lazy=lazy, help=help_text,
                 context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
    @click.version_option(package_name=package)
    def course() -> None:
        # Offline by construction: nothing in this tool may reach a model or dataset hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
        os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
        # Same numbers on every machine: torch picks its CPU kernels at its first operation, and no
        # sub-command has imported torch yet (course_lib.numerics says why and which kernels).
        numerics.pin()

    return course
