"""A question's ``forbid`` list: the grader reads the submission's code for names the question's
functions must not use (``model.generate`` in a decoding loop graded against ``generate``).

The checker on its own (``autograder.student.forbidden_calls``), the format's rules
(``autograder.authoring.master``), and end to end on the toy: its q1 forbids ``mean``, and a
``mean_abs`` that computes the right numbers with ``.mean()`` loses q1's hidden points with a
message naming the function, cell and line, while the honest solution keeps them."""

from __future__ import annotations

import json
import shutil

import pytest

from autograder.authoring.master import AssignmentFormatError, load_assignment
from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.student.forbidden_calls import NotebookCode, question_violations
from autograder.isolation.local import LocalBackend
from autograder.release.pipeline import release
from autograder.release.validate import validate
from toy_notebooks import TOY_ID, copy_toy, load_cells, save_cells
from toy_submissions import MEAN_ABS_OK, SOFTMAX_OK, code_cell, submission


def violations(cells: list[str], graded: list[str], forbidden=("generate",)) -> list[str]:
    code = NotebookCode(cells, list(range(1, len(cells) + 1)))
    return [v.describe() for v in code.violations(graded, list(forbidden))]


def notebook(*cells: str) -> bytes:
    return json.dumps({"cells": [code_cell(c) for c in cells], "metadata": {}, "nbformat": 4,
                       "nbformat_minor": 5}).encode()


# --------------------------------------------------------------------------- the checker

HONEST = '''
def greedy_decode(model, tokenizer, prompt, n):
    """Greedy decoding by hand: the same tokens as model.generate, without calling generate."""
    # not model.generate(...): the loop below
    ids = tokenizer.encode(prompt)
    for _ in range(n):
        ids.append(int(model(ids).logits[0, -1].argmax()))
    return ids
'''


def test_an_attribute_call_is_named_with_its_line():
    cell = "import torch\n\ndef greedy_decode(model, tok, prompt, n):\n    ids = tok(prompt)\n" \
           "    return model.generate(ids, max_new_tokens=n)[0].tolist()\n"
    assert violations([cell], ["greedy_decode"]) == ["greedy_decode calls generate (cell 1, line 5)"]


def test_a_method_of_an_attribute_and_a_reference_without_a_call():
    cell = ("class Decoder:\n    def __init__(self, model):\n        self.model = model\n"
            "    def run(self, ids):\n        return self.model.generate(ids)\n\n"
            "def greedy_decode(model, ids):\n    step = model.generate\n    return step(ids)\n")
    assert violations([cell], ["Decoder"]) == ["Decoder calls generate (cell 1, line 5)"]
    assert violations([cell], ["greedy_decode"]) == ["greedy_decode uses generate (cell 1, line 8)"]


def test_a_helper_the_graded_function_calls_is_followed_transitively():
    helpers = "def _run(model, ids):\n    return model.generate(ids)\n\n\ndef _step(model, ids):\n    return _run(model, ids)\n"
    graded = "def greedy_decode(model, tokenizer, prompt, n):\n    return _step(model, tokenizer.encode(prompt))\n"
    assert violations([helpers, graded], ["greedy_decode"]) == \
        ["greedy_decode uses _step, which uses _run, which calls generate (cell 1, line 2)"]
    # an alias, a lambda and an object the notebook made are followed the same way
    alias = "shortcut = _run\nlazy = lambda m, i: m.generate(i)\n"
    assert violations([helpers, alias, "def f(m, i):\n    return shortcut(m, i)\n"], ["f"]) == \
        ["f uses shortcut, which uses _run, which calls generate (cell 1, line 2)"]
    assert violations([alias, "def f(m, i):\n    return lazy(m, i)\n"], ["f"]) == \
        ["f uses lazy, which calls generate (cell 1, line 2)"]


def test_getattr_with_a_string_and_the_string_itself():
    cell = 'def greedy_decode(model, ids):\n    return getattr(model, "generate")(ids)\n'
    assert violations([cell], ["greedy_decode"]) == ['greedy_decode uses the string "generate" (cell 1, line 2)']
    imported = "def greedy_decode(model, ids):\n    from somewhere import generate as g\n    return g(model, ids)\n"
    assert violations([imported], ["greedy_decode"]) == ["greedy_decode imports generate (cell 1, line 2)"]


def test_comments_docstrings_and_other_methods_are_not_violations():
    assert violations([HONEST], ["greedy_decode"]) == []
    # a method named differently, on any object, and a name that merely contains the word
    other = ("def greedy_decode(model, tokenizer, prompt, n):\n"
             "    out = model.forward(tokenizer.encode(prompt))\n"
             "    return tokenizer.decode(out.generated_ids), model.generation_config, 'generate it'\n")
    assert violations([other], ["greedy_decode"]) == []


def test_a_function_elsewhere_that_calls_it_does_not_count_unless_used():
    demo = "def summarise(model, ids):\n    return model.generate(ids)\n\nreference = summarise(model, ids)\n"
    assert violations([demo, HONEST], ["greedy_decode"]) == []
    # a parameter named like that function is the caller's value, not the notebook's function
    shadow = "def greedy_decode(summarise, ids):\n    return summarise(ids)\n"
    assert violations([demo, shadow], ["greedy_decode"]) == []


def test_every_definition_counts_and_cells_that_do_not_parse_are_skipped():
    cheat = "def greedy_decode(model, ids):\n    return model.generate(ids)\n"
    hidden_later = "if False:\n" + "\n".join("    " + line for line in HONEST.split("\n"))
    assert violations([cheat, hidden_later], ["greedy_decode"]) == ["greedy_decode calls generate (cell 1, line 2)"]
    assert violations(["def greedy_decode(:\n    model.generate()", HONEST], ["greedy_decode"]) == []
    magic = "%%time\ndef greedy_decode(model, ids):\n    return model.generate(ids)\n"   # run as Python
    assert violations([magic], ["greedy_decode"]) == ["greedy_decode calls generate (cell 1, line 3)"]


def test_question_messages_from_a_notebooks_bytes():
    questions = [{"name": "q3", "points": 4, "manual": False, "forbid": ["generate"], "forbid_in": ["greedy_decode"]},
                 {"name": "q4", "points": 4, "manual": False}]
    cheat = notebook("import torch", "def greedy_decode(model, ids):\n    x = 1\n    return model.generate(ids)\n")
    assert question_violations(cheat, questions) == {
        "q3": "q3: greedy_decode calls generate (cell 2, line 3), which this question forbids: write that part "
              "yourself; no hidden test of q3 gives points while it does"}
    assert question_violations(notebook(HONEST), questions) == {}
    assert question_violations(b"not json", questions) == {}      # the runner reports that one


# --------------------------------------------------------------------------- the format


def _with_q1_config(tmp_path, extra: str, manual: bool = False):
    root = copy_toy(tmp_path)
    cells = load_cells(root)
    cells[3]["source"] = "# BEGIN QUESTION\nname: q1\npoints: 2\n" + extra
    save_cells(root, cells)
    return root


@pytest.mark.parametrize("value, words", [
    ("generate", "must be a list of names"),
    ("[]", "must be a list of names"),
    ("[model.generate]", "'model.generate', which is not a Python name"),
    ("[1]", "1, which is not a Python name"),
    ("[class]", "'class', which is not a Python name"),
])
def test_a_malformed_forbid_is_an_error_naming_the_cell(tmp_path, value, words):
    root = _with_q1_config(tmp_path, f"forbid: {value}")
    with pytest.raises(AssignmentFormatError, match="cell 4 ") as info:
        load_assignment(root / TOY_ID)
    assert words in str(info.value) and "forbid: [generate]" in str(info.value)


def test_forbid_is_for_autograded_questions_with_a_function_to_check(tmp_path):
    root = copy_toy(tmp_path)
    cells = load_cells(root)
    cells[23]["source"] = "# BEGIN QUESTION\nname: q3\nmanual: true\npoints: 1\nforbid: [generate]"
    save_cells(root, cells)
    with pytest.raises(AssignmentFormatError, match="cell 24 .*graded by staff"):
        load_assignment(root / TOY_ID)

    root = _with_q1_config(tmp_path / "nodef", "forbid: [mean]")
    cells = load_cells(root)
    cells[6]["source"] = "spread = float(np.abs([1, -1]).mean())  # SOLUTION"
    save_cells(root, cells)
    with pytest.raises(AssignmentFormatError, match="cell 4 .*define no function or class"):
        load_assignment(root / TOY_ID)


# --------------------------------------------------------------------------- end to end on the toy

# right on every input (so only the reading of the code can tell), but with `.mean()`
MEAN_ABS_WITH_MEAN = """\
def mean_abs(xs):
    magnitudes = np.abs(np.asarray(xs, dtype=float))
    return _average(magnitudes)
"""
AVERAGE = "def _average(a):\n    return float(a.mean()) if a.size else 0.0\n"


@pytest.fixture(scope="module")
def forbidding_toy(tmp_path_factory):
    """The toy released with `forbid: [mean]` on q1 (mean_abs), and a mutant that uses it."""
    tmp = tmp_path_factory.mktemp("forbid")
    root = _with_q1_config(tmp, "forbid: [mean]")
    mutants = root / TOY_ID / "mutants"
    mutants.mkdir()
    (mutants / "q1_mean_abs_calls_mean.py").write_text(
        f'"""mean_abs averages with .mean(), which q1 forbids.\n\nloses: q1\n"""\nimport numpy as np\n\n\n'
        f"{AVERAGE}\n\n{MEAN_ABS_WITH_MEAN}")
    return root / TOY_ID, release(root / TOY_ID, tmp / "dist").folder


def test_release_carries_the_rule_to_graders_and_students(forbidding_toy):
    _, dist = forbidding_toy
    q1 = Bundle.load(dist / "autograder").questions[0]
    assert q1["forbid"] == ["mean"] and q1["forbid_in"] == ["mean_abs"]
    student = json.loads((dist / "student" / f"{TOY_ID}.ipynb").read_text())
    # students get the rule and the names of the stubs they fill in (public), for `course check`
    assert student["metadata"]["course"]["questions"][0]["forbid"] == ["mean"]
    assert student["metadata"]["course"]["questions"][0]["forbid_in"] == ["mean_abs"]


def test_course_check_warns_before_submission(forbidding_toy, tmp_path):
    from autograder.student.check import check_notebook, format_report

    _, dist = forbidding_toy
    folder = tmp_path / "student"
    shutil.copytree(dist / "student", folder)
    path = folder / f"{TOY_ID}.ipynb"
    path.write_bytes(submission(dist, MEAN_ABS_OK, SOFTMAX_OK))
    honest = check_notebook(path)
    assert honest.ok and honest.broken_rules == []

    nb = json.loads(submission(dist, MEAN_ABS_WITH_MEAN, SOFTMAX_OK))
    at = next(i for i, c in enumerate(nb["cells"]) if "".join(c["source"]).startswith("def mean_abs"))
    nb["cells"].insert(at, code_cell(AVERAGE))
    path.write_text(json.dumps(nb))
    report = check_notebook(path)
    assert all(q.status != "failed" for q in report.questions), "its public tests pass"
    assert not report.ok and len(report.broken_rules) == 1
    assert report.broken_rules[0].startswith("q1: mean_abs uses _average, which calls mean")
    text = format_report(report)
    assert "hidden tests give these questions no points" in text and "a rule is broken" in text


def test_a_forbidden_call_loses_the_hidden_points_and_an_honest_solution_keeps_them(forbidding_toy):
    _, dist = forbidding_toy
    bundle = Bundle.load(dist / "autograder")
    backend = LocalBackend()
    honest = grade_notebook(bundle, submission(dist, MEAN_ABS_OK, SOFTMAX_OK), backend)
    assert honest["score"] == 5.0 and honest["questions"]["q1"]["points"] == 2.0

    nb = json.loads(submission(dist, MEAN_ABS_WITH_MEAN, SOFTMAX_OK))
    at = next(i for i, c in enumerate(nb["cells"]) if "".join(c["source"]).startswith("def mean_abs"))
    nb["cells"].insert(at, code_cell(AVERAGE))
    cheat = grade_notebook(bundle, json.dumps(nb).encode(), backend)
    q1 = {t["name"]: t for t in cheat["questions"]["q1"]["tests"]}
    assert q1["q1 - 1"]["status"] == "passed", "public tests run as they do"
    assert q1["q1 - 2"]["status"] == "failed" and q1["q1 - 2"]["points"] == 0.0
    assert q1["q1 - 2"]["message"] == (
        f"q1: mean_abs uses _average, which calls mean (cell {at + 1}, line 2), which this question forbids: "
        "write that part yourself; no hidden test of q1 gives points while it does")
    assert cheat["questions"]["q1"]["points"] == 1.0 and cheat["questions"]["q2"]["points"] == 3.0
    assert cheat["score"] == 4.0


def test_validate_catches_a_mutant_that_only_the_rule_catches(forbidding_toy):
    folder, dist = forbidding_toy
    checks = validate(folder, dist, LocalBackend(), workers=2, log=lambda *_: None, quick=True)
    mutant = next(c for c in checks if c.kind == "mutant")
    assert mutant.ok and mutant.detail.startswith("loses q1"), mutant.detail
    assert all(c.ok for c in checks), [(c.kind, c.detail) for c in checks if not c.ok]
