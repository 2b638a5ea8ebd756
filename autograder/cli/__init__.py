"""The ``course`` command line (staff).

Thin: each module here parses one stage's options, calls the stage's package and prints what
it returns (``grade``, ``release``, ``student``, ``report``, ``models``); this file only names
them. Modules load when their command runs, so ``course --version`` stays fast (no torch at
start-up) and importing this package imports no stage. Any
:class:`autograder.errors.CourseError` a stage raises (a user's mistake) is printed as one line,
``Error: ...``, with exit code 1; never a traceback. ``student_main`` is the student package's
``course``: ``check``, ``submit`` and ``models`` only.
"""

from __future__ import annotations

from autograder.cli.base import course_group

# every command -> the module exposing it in ``COMMANDS`` (tests/test_layout.py checks both agree)
COMMANDS = {
    "models": "autograder.cli.models",
    "grade": "autograder.cli.grade", "regrade": "autograder.cli.grade",
    "override": "autograder.cli.grade", "written": "autograder.cli.grade", "validate": "autograder.cli.grade",
    "extend": "autograder.cli.grade",
    "release": "autograder.cli.release", "solutions": "autograder.cli.release",
    "check": "autograder.cli.student", "submit": "autograder.cli.student",
    "gradescope-run": "autograder.cli.gradescope",
    "serve": "autograder.cli.serve", "roster": "autograder.cli.serve", "grade-uploads": "autograder.cli.serve",
    "report": "autograder.cli.report", "export": "autograder.cli.report", "similarity": "autograder.cli.report",
}

course = course_group("Release, grade and report the GenAI course's autograded assignments.", COMMANDS,
                      "genai-course")


def main() -> None:
    course(prog_name="course")


if __name__ == "__main__":
    main()
