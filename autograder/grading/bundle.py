"""``dist/<id>/autograder``: what only graders get (tests, questions, limits, the recorded
reference and the zoo it was recorded on), and the imports the tests run with."""

from __future__ import annotations

import ast
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.authoring.config import load_config
from autograder.errors import CourseError
from autograder.isolation.backend import Limits
from autograder.isolation.execution import comment_out_magics, parse_python

ZOO_FINGERPRINT = "zoo.json"      # the models' hashes the reference was recorded on


class BundleError(CourseError):
    """No release to grade against, or a release recorded on other model weights."""


@dataclass
class Bundle:
    """``dist/<id>/autograder``: what only graders get."""
    folder: Path
    assignment_id: str
    config: object
    questions: list[dict]     # questions.json: name, points, manual, all_or_nothing, tests; forbid and
                              # forbid_in where a question forbids names (student/forbidden_calls.py)
    tests: list[dict]

    @classmethod
    def load(cls, folder: Path) -> "Bundle":
        folder = Path(folder)
        if not (folder / "tests.json").exists():
            raise BundleError(f"{folder} is not an autograder bundle (no tests.json): run `course release` first")
        tests = json.loads((folder / "tests.json").read_text())
        questions = json.loads((folder / "questions.json").read_text())
        config = load_config(folder / "assignment.toml")
        return cls(folder, tests["assignment"], config, questions["questions"], tests["tests"])

    @property
    def limits(self) -> Limits:
        return self.config.limits

    @property
    def total_points(self) -> float:
        return sum(q["points"] for q in self.questions)

    @functools.cached_property
    def test_imports(self) -> dict:
        """The names the master notebook imports at top level, imported *here* (see ``staff_imports``)."""
        return staff_imports(self.folder / "solution.ipynb")


def staff_imports(solution_path: Path) -> dict:
    """Run the solution notebook's top-level ``import`` statements in the grading process.

    Tests are written in the master notebook, where ``np`` or ``torch`` are the notebook's
    imports. If a test's ``np`` resolved to the student's ``np`` instead, it would be a
    reference into the student's process, and ``np.testing.assert_allclose(...)`` would run
    there, where the student can have replaced it with a no-op. So tests get the staff's
    imports (the solution is staff code), executed here; only what the solution does not
    import comes from the student.
    """
    try:
        nb = json.loads(Path(solution_path).read_text())
    except (OSError, ValueError):
        return {}
    names: dict = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = parse_python(comment_out_magics(source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                scope: dict = {}
                try:
                    exec(compile(ast.Module([node], []), "<staff imports>", "exec"), scope)
                except Exception:  # noqa: BLE001 - a name that does not import here stays the student's
                    continue
                scope.pop("__builtins__", None)
                names.update(scope)
    return names


def check_same_zoo(folder: Path) -> None:
    """Refuse to grade on other weights than the reference was recorded on: every threshold
    and tolerance of the hidden tests was measured on those."""
    from course_lib.models import zoo

    recorded = Path(folder) / ZOO_FINGERPRINT
    if not recorded.exists():      # a release made before fingerprints were recorded
        return
    recorded_on = json.loads(recorded.read_text())
    problems = zoo.fingerprint_problems(recorded_on)
    if problems:
        raise BundleError(f"{folder} was released on another zoo ({'; '.join(problems)}): "
                          f"{zoo.zoo_fix(recorded_on)}, or release again on this one")
