"""``course release``: the student and autograder versions, leaks, and all-or-nothing writes."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

import autograder.release.pipeline as release_mod
from autograder.cli.release import release_cmd
from autograder.release.pipeline import ReleaseError, release, to_doctest
from toy_notebooks import MALFORMED, TOY_DIR, TOY_ID, copy_toy, load_cells, save_cells, src
from course_lib.student_setup import SETUP_CELL


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    release(TOY_DIR, out)
    return out / TOY_ID


def _code_cells(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_student_notebook(released):
    nb = nbformat.read(released / "student" / f"{TOY_ID}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["course"]["assignment"] == TOY_ID
    code = _code_cells(nb)
    assert code[0] == SETUP_CELL    # the course package and the release's zoo (tests/test_student_package.py)
    assert code[1].endswith('grader = otter.Notebook(tests_dir="tests")')
    assert 'grader.check("q1")' in code and 'grader.check("q2")' in code
    assert not any("q3" in c for c in code)  # the manual question gets no check cell
    assert "def mean_abs(xs):\n    ..." in code
    assert "    shifted = ..." in "\n".join(code)
    sources = [c.source for c in nb.cells]
    assert "_Type your answer here, replacing this text._" in sources
    assert any(s.startswith("## Question 3") for s in sources)  # prompt kept
    assert not any("assert" in s for s in sources)  # no tests in the notebook
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    q1_text = next(c for c in nb.cells if c.source.startswith("## Question 1"))
    assert q1_text.metadata["editable"] is False


def test_public_tests_are_otter_ok_files(released):
    from otter.test_files import OKTestFile

    tests = released / "student" / "tests"
    assert sorted(p.name for p in tests.iterdir()) == ["q1.py", "q2.py"]
    q1 = OKTestFile.from_file(str(tests / "q1.py"))
    assert [tc.hidden for tc in q1.test_cases] == [False]
    import numpy as np

    good = {"np": np, "mean_abs": lambda xs: float(np.mean(np.abs(xs))) if len(xs) else 0.0}
    q1.run(good)
    assert q1.passed_all
    q1.run({"np": np, "mean_abs": lambda xs: 0.0})
    assert not q1.passed_all


def test_autograder_bundle(released):
    ag = released / "autograder"
    tests = json.loads((ag / "tests.json").read_text())["tests"]
    assert [(t["name"], t["hidden"], t["points"]) for t in tests] == [
        ("q1 - 1", False, 1), ("q1 - 2", True, 1), ("q2 - 1", False, 1), ("q2 - 2", True, 2)]
    assert tests[1]["failure_message"] == "mean_abs is wrong when signs are mixed (zebra-7)"
    assert "quokka" in tests[1]["code"]
    questions = json.loads((ag / "questions.json").read_text())
    assert questions["total_points"] == 6
    assert [(q["name"], q["points"], q["manual"]) for q in questions["questions"]] == [
        ("q1", 2, False), ("q2", 3, False), ("q3", 1, True)]
    assert (ag / "assignment.toml").read_bytes() == (TOY_DIR / "assignment.toml").read_bytes()

    sol = nbformat.read(ag / "solution.ipynb", as_version=4)
    joined = "\n".join(c.source for c in sol.cells)
    assert "magnitudes = np.abs(np.asarray(xs, dtype=float))" in joined
    assert "BEGIN QUESTION" not in joined and "assert" not in joined and "grader" not in joined
    # the reference runs: executing its code cells defines working functions
    ns: dict = {}
    for c in _code_cells(sol):
        exec(c, ns)
    assert ns["mean_abs"]([-3, 1, 2]) == 2.0

    manifest = json.loads((ag / "manifest.json").read_text())
    assert manifest["assignment"] == TOY_ID
    assert manifest["source_sha256"] == hashlib.sha256((TOY_DIR / f"{TOY_ID}.ipynb").read_bytes()).hexdigest()
    files = {p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == files - {"autograder/manifest.json"}
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((released / rel).read_bytes()).hexdigest() == digest


def _secrets_from_master(path: Path) -> set[str]:
    """Solution lines and hidden tests, read straight from the master's JSON (not our parser)."""
    cells = json.loads(path.read_text())["cells"]
    secrets, public = set(), set()
    block = None
    for c in cells:
        text = src(c)
        first = text.split("\n")[0].strip()
        if c["cell_type"] == "raw":
            m = re.match(r"# (BEGIN|END) (SOLUTION|TESTS|QUESTION|PROMPT)", first)
            if m and m.group(2) != "QUESTION":
                block = m.group(2) if m.group(1) == "BEGIN" else None
            continue
        hidden_test = block == "TESTS" and ("hidden: true" in text or first == "# HIDDEN")
        for line in text.split("\n"):
            s = line.strip()
            if block == "SOLUTION" and c["cell_type"] == "markdown" or hidden_test:
                secrets.add(s)
            elif "SOLUTION" in s and not s.startswith("#"):
                secrets.add(s.split("#")[0].split("=", 1)[-1].strip())
            elif block == "SOLUTION" and not s.startswith("#") and s.startswith(("magnitudes", "if ", "return")):
                secrets.add(s)
            else:
                public.add(s)
        if hidden_test:
            secrets.update(re.findall(r"failure_message: (.*)", text))
    trivial = {s for s in secrets if len(s) < 6 or s.startswith(('"""', "hidden:", "failure_message"))}
    return secrets - public - trivial


def _student_texts(folder: Path) -> dict[str, str]:
    texts = {}
    for p in folder.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            texts[str(p)] = data.decode("utf-8", "replace") + json.dumps(data.decode("utf-8", "replace"))
            if p.suffix == ".zip":
                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    for n in zf.namelist():
                        texts[f"{p}!{n}"] = zf.read(n).decode("utf-8", "replace")
    return texts


def test_nothing_secret_reaches_students(released):
    secrets = _secrets_from_master(TOY_DIR / f"{TOY_ID}.ipynb")
    # the toy's distinctive secrets are all in the list we look for
    for word in ("zebra-7", "quokka", "wombat", "platypus", "magnitudes.sum()", "x - x.max()", "np.exp(shifted)"):
        assert any(word in s for s in secrets), word
    texts = _student_texts(released / "student")
    # undo JSON and repr escaping too: search the decoded notebook sources and test files
    nb = nbformat.read(released / "student" / f"{TOY_ID}.ipynb", as_version=4)
    texts["cells"] = "\n".join(c.source for c in nb.cells)
    for s in secrets:
        for name, text in texts.items():
            assert s not in text, f"{s!r} leaked into {name}"


def test_leak_scan_aborts_release(tmp_path, monkeypatch):
    monkeypatch.setattr(release_mod, "student_source", lambda source: source)  # "forget" to strip
    with pytest.raises(ReleaseError, match="magnitudes"):
        release(TOY_DIR, tmp_path / "dist")
    assert list((tmp_path / "dist").iterdir()) == []


def test_after_release_hook(tmp_path, monkeypatch):
    seen = {}

    def hook(assignment, autograder_dir):
        seen["dir"] = autograder_dir
        (autograder_dir / "reference.json").write_text("{}")

    monkeypatch.setattr(release_mod, "after_release", hook)
    result = release(TOY_DIR, tmp_path / "dist")
    assert seen["dir"].name == "autograder" and not seen["dir"].exists()  # staging, renamed since
    manifest = json.loads((result.folder / "autograder" / "manifest.json").read_text())
    assert "autograder/reference.json" in manifest["files"]

    def failing(assignment, autograder_dir):
        raise RuntimeError("snapshot failed")

    before = {p: p.read_bytes() for p in result.folder.rglob("*") if p.is_file()}
    monkeypatch.setattr(release_mod, "after_release", failing)
    with pytest.raises(RuntimeError, match="snapshot failed"):
        release(TOY_DIR, tmp_path / "dist")
    assert {p: p.read_bytes() for p in result.folder.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [TOY_ID]


@pytest.mark.parametrize("case", MALFORMED, ids=lambda c: c.name)
def test_malformed_master_writes_nothing(tmp_path, case):
    root = copy_toy(tmp_path)
    out = tmp_path / "dist"
    runner = CliRunner()
    ok = runner.invoke(release_cmd, [TOY_ID, "--assignments", str(root), "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    cells = load_cells(root)
    case.edit(cells)
    save_cells(root, cells)
    bad = runner.invoke(release_cmd, [TOY_ID, "--assignments", str(root), "--out", str(out)])
    assert bad.exit_code != 0
    assert f"cell {case.cell} (" in bad.output and case.words in bad.output, bad.output
    assert "nothing was written" in bad.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in out.iterdir()) == [TOY_ID]  # no staging folders left


def test_release_all_is_all_or_nothing(tmp_path):
    root = copy_toy(tmp_path)
    (root / "00-broken").mkdir()
    (root / "00-broken" / "assignment.toml").write_text('title = "broken"\n')
    (root / "00-broken" / "00-broken.ipynb").write_text("{not json")
    out = tmp_path / "dist"
    result = CliRunner().invoke(release_cmd, ["--all", "--assignments", str(root), "--out", str(out)])
    assert result.exit_code != 0
    assert "00-broken.ipynb: not a Jupyter notebook" in result.output
    assert not out.exists() or not any(out.iterdir())

    (root / "00-broken" / "assignment.toml").unlink()  # no longer an assignment
    result = CliRunner().invoke(release_cmd, ["--all", "--assignments", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "released 00-toy: 3 questions, 6 points, 2 public / 2 hidden tests" in result.output


def test_release_is_reproducible(tmp_path):
    a = release(TOY_DIR, tmp_path / "a").folder
    b = release(TOY_DIR, tmp_path / "b").folder
    for p in a.rglob("*"):
        if p.is_file() and p.name != "manifest.json":
            assert p.read_bytes() == (b / p.relative_to(a)).read_bytes(), p


@pytest.mark.parametrize("code", [
    "for i in range(3):\n    assert i < 3\nelse:\n    done = True\nassert done",
    "def helper(x):\n    if x:\n        return 1\n    else:\n        return 2\nassert helper(0) == 2",
    "import functools\n@functools.lru_cache\ndef f(x):\n    return x\nassert f(2) == 2",
    "try:\n    1 / 0\nexcept ZeroDivisionError:\n    ok = True\nfinally:\n    pass\nassert ok",
    "values = [1,\n   2]\nassert sum(values) == 3",
])
def test_to_doctest_runs_in_otter(code):
    from otter.test_files.ok_test import run_doctest

    passed, message = run_doctest("t", to_doctest(code), {})
    assert passed, message
    failing = code.replace("assert", "assert not", 1) if "assert" in code else code
    assert not run_doctest("t", to_doctest(failing), {})[0]


def test_grading_on_another_zoo_is_refused(tmp_path):
    """The release records the hashes of the models its reference ran on; `course grade` on a
    zoo with other weights stops with one line naming the model and both hashes."""
    from autograder.cli import course
    from course_lib.models import zoo

    out = tmp_path / "dist"
    release(TOY_DIR, out)
    recorded = out / TOY_ID / "autograder" / release_mod.ZOO_FINGERPRINT
    assert json.loads(recorded.read_text()) == {}, "the toy needs no model, so it records none"
    here = zoo.fingerprint(["tiny-gpt"])
    assert set(here) == {"tokenizer", "tiny-gpt"} and zoo.fingerprint_problems(here) == []
    subs = tmp_path / "subs"
    subs.mkdir()
    recorded.write_text(json.dumps({**here, "tiny-gpt": "0" * 64}))     # one weight changed since the release
    result = CliRunner().invoke(course, ["grade", TOY_ID, str(subs), "--dist", str(out), "--backend", "local"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"tiny-gpt: sha256 000000000000... at release, {here['tiny-gpt'][:12]}... here" in result.output
    assert len(result.output.strip().splitlines()) == 1
