"""What stops a release (shared by the pipeline and its targets)."""

from __future__ import annotations

from autograder.errors import CourseError


class ReleaseError(CourseError):
    """A release that must not be written (for example, a solution would leak)."""
