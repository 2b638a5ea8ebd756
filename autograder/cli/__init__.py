"""The ``course`` command line.

Thin: each module here parses one stage's options, calls the stage's package and prints what
it returns (``grade``, ``release``, ``student``, ``report``, ``models``); this file only
assembles them, and imports lazily enough that ``course --help`` stays fast (no torch at
start-up). Any :class:`autograder.errors.CourseError` a stage raises (a user's mistake) is
printed as one line, ``Error: ...``, with exit code 1; never a traceback.
"""

from __future__ import annotations

import importlib
import os

import click

from autograder.cli.base import CourseGroup
from course_lib import numerics

# modules exposing ``COMMANDS`` (a list of click commands or groups)
COMMAND_MODULES = [
    "autograder.cli.models",
    "autograder.cli.grade",
    "autograder.cli.release",
    "autograder.cli.student",
    "autograder.cli.report",
]


@click.group(cls=CourseGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="genai-course")
def course() -> None:
    """Release, grade and report the GenAI course's autograded assignments."""
    # Offline by construction: nothing in this tool may reach a model or dataset hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    # Same numbers on every machine: torch picks its CPU kernels at its first operation, and no
    # sub-command has imported torch yet (course_lib.numerics says why and which kernels).
    numerics.pin()


for _name in COMMAND_MODULES:
    for _cmd in importlib.import_module(_name).COMMANDS:
        course.add_command(_cmd)


def main() -> None:
    course(prog_name="course")


if __name__ == "__main__":
    main()
