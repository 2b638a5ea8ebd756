"""The click classes every ``course`` command is made of: a user's mistake, raised anywhere below
as an :class:`autograder.errors.CourseError`, becomes click's one-line ``Error: ...`` and exit
code 1, whether the command runs under ``course`` or is invoked on its own (as tests do)."""

from __future__ import annotations

import click

from autograder.errors import CourseError


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
