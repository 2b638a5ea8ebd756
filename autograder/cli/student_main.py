"""``course`` as the student package installs it: check, submit, and the zoo (install a pack, verify)."""

from __future__ import annotations

from autograder.cli.base import course_group

COMMANDS = {"check": "autograder.cli.student", "submit": "autograder.cli.student", "models": "autograder.cli.models"}

course = course_group("Check and submit the GenAI course's assignments; install the course's model zoo.",
                      COMMANDS, "genai-course-student")


def main() -> None:
    course(prog_name="course")


if __name__ == "__main__":
    main()
