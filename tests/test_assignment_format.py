"""The authoring format: parsing the master notebook and assignment.toml."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder.authoring.master import (
    AssignmentFormatError,
    load_assignment,
    load_config,
    removed_solution_text,
    strip_solutions,
)
from toy_notebooks import MALFORMED, TOY_DIR, copy_toy, load_cells, master_path, save_cells, src


def test_toy_parses_into_questions_tests_and_points():
    a = load_assignment(TOY_DIR)
    assert a.id == "00-toy"
    assert [(q.name, q.points, q.manual) for q in a.questions] == [("q1", 2, False), ("q2", 3, False), ("q3", 1, True)]
    q1, q2, q3 = a.questions
    assert [(t.name, t.points, t.hidden) for t in q1.tests] == [("q1 - 1", 1, False), ("q1 - 2", 1, True)]
    assert [(t.name, t.points, t.hidden) for t in q2.tests] == [("q2 - 1", 1, False), ("q2 - 2", 2, True)]
    assert q3.tests == [] and [c.role for c in q3.cells] == ["text", "solution"]
    assert a.total_points == 6 == a.config.points
    assert q1.tests[1].failure_message == "mean_abs is wrong when signs are mixed (zebra-7)"
    assert q2.tests[0].success_message == "softmax sums to one"
    # the `# HIDDEN` comment line is not part of the test (as in otter)
    assert not q2.tests[1].code.startswith("#")
    assert a.otter_config["name"] == "00-toy"
    assert [c.index for c in q1.prompt_cells] == [5] and [c.index for c in q1.solution_cells] == [7]


@pytest.mark.parametrize("case", MALFORMED, ids=lambda c: c.name)
def test_malformed_master_names_file_cell_and_fix(tmp_path, case):
    root = copy_toy(tmp_path)
    cells = load_cells(root)
    case.edit(cells)
    save_cells(root, cells)
    with pytest.raises(AssignmentFormatError) as info:
        load_assignment(root / "00-toy")
    msg = str(info.value)
    assert str(master_path(root)) in msg
    assert f"cell {case.cell} (" in msg, msg
    first = next(l.strip() for l in src(cells[case.cell - 1]).split("\n") if l.strip())
    assert repr(first[:60]) in msg, msg
    assert case.words in msg, msg


def _question_points(tmp_path, points_yaml: str, test_points: list):
    """q2 of the toy with the given question points and per-test points."""
    root = copy_toy(tmp_path)
    toml = root / "00-toy" / "assignment.toml"
    toml.write_text(toml.read_text().replace("points = 6\n", ""))  # the total changes here
    cells = load_cells(root)
    cells[13]["source"] = f"# BEGIN QUESTION\nname: q2\n{points_yaml}"
    for i, p in zip((19, 20), test_points):  # cells 20 and 21
        body = src(cells[i]).split('""" # END TEST CONFIG\n')[-1].replace("# HIDDEN\n", "")
        header = "hidden: true\n" if i == 20 else ""
        if p is not None:
            header += f"points: {p}\n"
        cells[i]["source"] = f'""" # BEGIN TEST CONFIG\n{header}""" # END TEST CONFIG\n{body}' if header else body
    save_cells(root, cells)
    return root


@pytest.mark.parametrize("points_yaml, test_points, expected", [
    ("points: 3", [None, None], [1.5, 1.5]),
    ("points: 3", [1, None], [1, 2]),
    ("points: [0.5, 2.5]", [None, None], [0.5, 2.5]),
    ("points: 4", [1, 3], [1, 3]),
    ("", [None, None], [0.5, 0.5]),             # no points: otter's 1 point, split evenly
    ("", [0, None], [0, 1]),                    # ... over the tests that give none
    ("", [2, None], [2, 0]),                    # tests' own points, the others none
    ("points: {each: 2}", [None, None], [2, 2]),
])
def test_points_split_like_otter(tmp_path, points_yaml, test_points, expected):
    from otter.test_files.abstract_test import TestCase, TestFile

    root = _question_points(tmp_path, points_yaml, test_points)
    q2 = load_assignment(root / "00-toy").question("q2")
    assert [t.points for t in q2.tests] == expected
    # otter's own resolution agrees
    import yaml

    total = (yaml.safe_load(points_yaml) or {}).get("points")
    if isinstance(total, dict):           # otter's tests_manager: {each: n} is n times the tests
        total = total["each"] * len(test_points)
    cases = [TestCase("", "", False, p, None, None) for p in test_points]
    assert [tc.points for tc in TestFile.resolve_test_file_points(total, cases)] == expected


@pytest.mark.parametrize("points_yaml, test_points, words", [
    ("points: 2", [1, 3], "claim 4 points, more than its 2"),
    ("points: 5", [1, 3], "add up to 4 points, not its 5"),
    ("points: [1, 2]", [1, None], "both as a list"),
    ("points: -1", [None, None], "non-negative"),
])
def test_inconsistent_points_are_errors(tmp_path, points_yaml, test_points, words):
    root = _question_points(tmp_path, points_yaml, test_points)
    with pytest.raises(AssignmentFormatError, match="cell 14"):
        try:
            load_assignment(root / "00-toy")
        except AssignmentFormatError as exc:
            assert words in str(exc)
            raise


def test_declared_total_must_match_notebook(tmp_path):
    root = copy_toy(tmp_path)
    toml = root / "00-toy" / "assignment.toml"
    toml.write_text(toml.read_text().replace("points = 6", "points = 7"))
    with pytest.raises(AssignmentFormatError, match=r"assignment.toml: `points` = 7 but .* add up to 6"):
        load_assignment(root / "00-toy")


SOLUTION_LINES = [
    "x = 1 # SOLUTION",
    "x = compute(a, b)  # SOLUTION",
    "    y, z = f(x)  #SOLUTION",
    "    d['k'] = v # SOLUTION",
    "    return y # SOLUTION",
    "print('hi')  # SOLUTION NO PROMPT",
    "# BEGIN SOLUTION",
    "secret = 42",
    "    # END SOLUTION",
    "    # BEGIN SOLUTION NO PROMPT",
    "    other_secret()",
    "    # END SOLUTION",
    '""" # BEGIN PROMPT',
    "x = ...",
    '""" # END PROMPT',
    "seed = 3  # SEED",
    "kept = True",
]


def test_strip_solutions_matches_otter():
    from otter.assign.solutions import replace_solutions

    assert strip_solutions(SOLUTION_LINES) == replace_solutions(SOLUTION_LINES, "python")
    removed = [r.strip() for r in removed_solution_text(SOLUTION_LINES)]
    assert "secret = 42" in removed and "other_secret()" in removed and "compute(a, b)" in removed


def test_minimal_toml_gets_defaults(tmp_path):
    path = tmp_path / "assignment.toml"
    path.write_text('title = "T"\n')
    cfg = load_config(path)
    assert cfg.deadline is None and cfg.points is None
    assert cfg.limits.time_s > 0 and cfg.limits.cell_timeout_s > 0
    assert cfg.late.policy == "none" and cfg.requires.models == ()
    assert cfg.gradescope_hidden == "after_published" and cfg.feedback_release == "by_hand"


@pytest.mark.parametrize("body, words", [
    ('title = "T"\ndeadline = "2025-10-01T23:59:00"\n', "needs a timezone"),
    ('title = "T"\ndeadline = "next friday"\n', "not an ISO 8601"),
    ('title = "T"\ndeadlin = 2025-10-01T23:59:00Z\n', "`deadlin` is not a known key"),
    ('title = "T"\ndeadline = 2025-10-01T23:59:00Z\n[late]\npolicy = "sometimes"\n', "late.policy"),
    ('title = "T"\n[late]\npolicy = "per_day"\npercent_per_day = 10\n', "needs a `deadline`"),
    ('title = "T"\ndeadline = 2025-10-01T23:59:00Z\n[late]\npolicy = "cutoff"\ncutoff = 2025-09-01T00:00:00Z\n',
     "before the deadline"),
    ('title = "T"\n[limits]\nmemory_mb = "lots"\n', "limits.memory_mb"),
    ('title = "T"\n[limits]\ncpus = 0\n', "greater than 0"),
    ('title = "T"\n[requires]\nmodels = "tiny-t5"\n', "requires.models"),
    ('title = = "T"\n', "not valid TOML"),
    ('title = "T"\n[gradescope]\nhidden = "visible"\n', "`gradescope.hidden` must be one of after_published"),
    ('title = "T"\n[serve]\nfeedback = "whenever"\n', "`serve.feedback` must be one of by_hand"),
    ('title = "T"\n[serve]\nfeedback = "after_deadline"\n', "is after_deadline but the assignment has no deadline"),
    ('title = "T"\n[serve]\npublic_tests = "yes"\n', "`serve.public_tests` must be true or false, not 'yes'"),
])
def test_bad_toml_names_file_and_key(tmp_path, body, words):
    path = tmp_path / "assignment.toml"
    path.write_text(body)
    with pytest.raises(AssignmentFormatError) as info:
        load_config(path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_late_policies():
    deadline = datetime(2025, 10, 1, 23, 59, tzinfo=timezone.utc)
    cfg_path = Path(TOY_DIR / "assignment.toml")
    late = load_config(cfg_path).late  # per_day, 10 %, 3 days max
    assert late.multiplier(deadline, deadline) == 1.0
    assert late.multiplier(deadline, deadline + timedelta(hours=1)) == pytest.approx(0.9)
    assert late.multiplier(deadline, deadline + timedelta(days=2, hours=1)) == pytest.approx(0.7)
    assert late.multiplier(deadline, deadline + timedelta(days=4)) == 0.0
    from autograder.authoring.late_policy import LatePolicy

    cutoff = LatePolicy("cutoff", cutoff=deadline + timedelta(days=1))
    assert cutoff.multiplier(deadline, deadline + timedelta(hours=5)) == 1.0
    assert cutoff.multiplier(deadline, deadline + timedelta(days=2)) == 0.0
    assert LatePolicy().multiplier(deadline, deadline + timedelta(days=30)) == 1.0


def test_a_rubric_reaches_students_and_staff(tmp_path):
    """A staff-graded question's criteria: in the student README (what earns the points) and in
    the grader-only rubric.md, with the model answer."""
    from autograder.release.pipeline import release

    root = copy_toy(tmp_path)
    cells = load_cells(root)
    cells[23]["source"] = ("# BEGIN QUESTION\nname: q3\nmanual: true\npoints: 1\nrubric:\n"
                           "  - points: 0.5\n    criterion: names the factor exp(-c)\n"
                           "  - points: 0.5\n    criterion: says it cancels between numerator and denominator\n")
    save_cells(root, cells)
    q3 = load_assignment(root / "00-toy").questions[2]
    assert q3.rubric == [{"points": 0.5, "criterion": "names the factor exp(-c)"},
                         {"points": 0.5, "criterion": "says it cancels between numerator and denominator"}]
    out = release(root / "00-toy", tmp_path / "dist").folder
    readme = (out / "student" / "README.md").read_text()
    assert "## Graded by staff" in readme and "- **0.5** names the factor exp(-c)" in readme
    assert "platypus" not in readme                       # the model answer stays with staff
    staff = (out / "autograder" / "rubric.md").read_text()
    assert "- **0.5** says it cancels" in staff and "platypus argument" in staff
