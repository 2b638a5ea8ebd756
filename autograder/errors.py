"""The one base of every error a course user can cause and fix: a bad assignment, notebook,
submission, option or missing model. The ``course`` command prints such an error as one line
and exits 1; anything else is a bug in this tool and keeps its traceback."""

from __future__ import annotations


class CourseError(Exception):
    """A user's mistake or a missing prerequisite, explained in one line that names what to fix."""
