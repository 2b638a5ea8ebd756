"""The same grade on every machine (issue 19): the zoo pack, the release's zoo fingerprint that
`course check` and `course grade` hold a zoo to, and the student package, played by a student
with a fresh virtualenv, no clone of the repository and no root."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.authoring.master import find_assignments, load_assignment
from autograder.cli import COMMANDS as STAFF_COMMANDS
from autograder.cli import course
from autograder.cli.student_main import COMMANDS as STUDENT_COMMANDS
from autograder.isolation.execution import code_cells_of
from autograder.release.pipeline import release
from autograder.release.student_package import STUDENT_FILES, build_wheel
from course_lib.models import pack, zoo
from course_lib.student_setup import SETUP_CELL

REPO = Path(__file__).resolve().parent.parent
TOY = REPO / "assignments" / "00-toy"


def invoke(*args: str):
    return CliRunner().invoke(course, list(args))


def one_error_line(result, *parts: str) -> str:
    out = result.output.strip()
    assert result.exit_code == 1 and "Traceback" not in out, out
    line = out.splitlines()[-1]
    assert line.startswith("Error: ") and all(p in line for p in parts), out
    return line


def test_two_packs_of_one_build_are_byte_identical_and_install_the_same_weights(tmp_path, monkeypatch):
    a = pack.pack(tmp_path / "a.tar.gz", ["tiny-gpt"])
    b = pack.pack(tmp_path / "b.tar.gz", ["tiny-gpt"])
    assert a.path.read_bytes() == b.path.read_bytes() and a.sha256 == b.sha256
    assert set(a.manifest["models"]) == {"tokenizer", "tiny-gpt"}
    source = {n: zoo.weights_sha256(zoo.path(n)) for n in ("tiny-gpt",)}
    verdict = zoo.verify(["tokenizer", "tiny-gpt"])     # the recorded build or not: it depends on the CPU that built it

    home = tmp_path / "empty-home"
    monkeypatch.setenv("COURSE_HOME", str(home))
    result = invoke("models", "install", str(a.path), "--sha256", a.sha256)
    assert result.exit_code == 0, result.output
    assert zoo.weights_sha256(zoo.path("tiny-gpt")) == source["tiny-gpt"]
    assert zoo.card("tiny-gpt")["weights_sha256"] == source["tiny-gpt"]
    assert zoo.is_current("tiny-gpt"), "an installed model counts as built: `course models build` keeps it"
    assert zoo.verify(["tokenizer", "tiny-gpt"]) == verdict, "the installed copy compares with the record as its source does"
    assert sorted(p.name for p in (home / "data").iterdir()) == sorted({
        Path(f).parts[1] for f in a.manifest["files"] if f.startswith("data/")}) != []


def _repack(src: Path, dest: Path, change) -> None:
    """A copy of the pack at ``src`` with ``change(name, data) -> (name, data)`` applied to each member."""
    with tarfile.open(src, "r:gz") as tin, tarfile.open(dest, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read() if m.isfile() else None
            name, data = change(m.name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data) if data is not None else 0
            info.type = tarfile.REGTYPE if data is not None else tarfile.DIRTYPE
            tout.addfile(info, io.BytesIO(data) if data is not None else None)


def test_a_damaged_foreign_or_unexpected_pack_is_refused_and_nothing_is_installed(tmp_path, monkeypatch):
    good = pack.pack(tmp_path / "good.tar.gz", ["tiny-gpt"])
    home = tmp_path / "home"
    monkeypatch.setenv("COURSE_HOME", str(home))
    weights = next(f for f in good.manifest["files"] if f.endswith(".safetensors"))

    damaged = tmp_path / "damaged.tar.gz"
    _repack(good.path, damaged, lambda n, d: (n, d[:-1] + bytes([d[-1] ^ 1]) if n == weights else d))
    one_error_line(invoke("models", "install", str(damaged)), str(damaged), weights, "does not match")

    escaping = tmp_path / "escaping.tar.gz"
    _repack(good.path, escaping, lambda n, d: ("models/../../outside" if n == weights else n, d))
    one_error_line(invoke("models", "install", str(escaping)), "unexpected member", "outside")

    one_error_line(invoke("models", "install", str(good.path), "--sha256", "0" * 64), "expected")
    junk = tmp_path / "junk.tar.gz"
    junk.write_text("not a pack")
    one_error_line(invoke("models", "install", str(junk)), str(junk), "not a readable zoo pack")
    one_error_line(invoke("models", "install", str(tmp_path / "absent.tar.gz")), "no such zoo pack")
    assert not (home / "models").exists() and not (tmp_path / "outside").exists()


@pytest.fixture(scope="module")
def toy_release(tmp_path_factory) -> Path:
    return release(TOY, tmp_path_factory.mktemp("dist")).folder.parent


def test_check_and_grade_refuse_another_zoo_and_name_the_fix(toy_release, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(toy_release, dist)
    here = zoo.fingerprint(["tiny-gpt"])
    recorded = {**here, "tiny-gpt": "0" * 64, "pack": {"file": "zoo-0123456789ab.tar.gz", "sha256": "ab" * 32}}
    for side in ("student", "autograder"):
        (dist / "00-toy" / side / "zoo.json").write_text(json.dumps(recorded))
    fix = "course models install zoo-0123456789ab.tar.gz"
    notebook = dist / "00-toy" / "student" / "00-toy.ipynb"
    one_error_line(invoke("check", str(notebook)), str(notebook),
                   f"tiny-gpt: sha256 000000000000... at release, {here['tiny-gpt'][:12]}... here", fix)
    subs = tmp_path / "subs"
    subs.mkdir()
    one_error_line(invoke("grade", "00-toy", str(subs), "--dist", str(dist), "--backend", "local",
                          "--db", f"sqlite:///{tmp_path / 'gb.db'}", "--results", str(tmp_path / "results")),
                   "tiny-gpt: sha256 000000000000...", fix)
    # the weights themselves, not what their card says: one value changed after the install
    home = tmp_path / "home"
    good = pack.pack(tmp_path / "zoo.tar.gz", ["tiny-gpt"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSE_HOME", str(home))
        pack.install(good.path)
        weights = home / "models" / "tiny-gpt" / "model.safetensors"
        data = bytearray(weights.read_bytes())
        data[-3] ^= 0x10
        weights.write_bytes(bytes(data))
        (dist / "00-toy" / "student" / "zoo.json").write_text(json.dumps(here))
        changed = zoo.weights_sha256(weights.parent)
        one_error_line(invoke("check", str(notebook)),
                       f"tiny-gpt: sha256 {here['tiny-gpt'][:12]}... at release, {changed[:12]}... here")
    # a data set generated by another version of course_lib: update the package, not the zoo
    (dist / "00-toy" / "student" / "zoo.json").write_text(json.dumps({**here, "data": {"dialogsum": 99}}))
    one_error_line(invoke("check", str(notebook)), "data set dialogsum: version 99 at release, 1 in this course_lib",
                   "pip install -U")


def test_released_notebook_starts_with_the_set_up_cell_and_the_grader_skips_it(toy_release, tmp_path, capsys):
    student = toy_release / "00-toy" / "student"
    nb = nbformat.read(student / "00-toy.ipynb", as_version=4)
    assert nb.cells[0].source == SETUP_CELL and nb.cells[0].metadata["editable"] is False
    sources, _ = code_cells_of((student / "00-toy.ipynb").read_bytes())
    assert SETUP_CELL not in sources, "the grader checks the zoo itself; it never pip-installs"
    # in Jupyter, next to a fingerprint of this zoo: nothing to install, and it says so
    shutil.copytree(student, tmp_path / "student")
    (tmp_path / "student" / "zoo.json").write_text(json.dumps(zoo.fingerprint(["tiny-gpt"])))
    cwd = os.getcwd()
    os.chdir(tmp_path / "student")
    try:
        exec(SETUP_CELL, {})
    finally:
        os.chdir(cwd)
    assert "set-up OK: tiny-gpt" in capsys.readouterr().out


def test_each_command_loads_from_the_module_named_for_it():
    import importlib

    for commands in (STAFF_COMMANDS, STUDENT_COMMANDS):
        by_module: dict[str, set] = {}
        for name, module in commands.items():
            by_module.setdefault(module, set()).add(name)
        for module, names in by_module.items():
            exposed = {c.name for c in importlib.import_module(module).COMMANDS}
            assert names <= exposed, f"{module} exposes {exposed}, the map names {names}"
    assert set(STUDENT_COMMANDS) == {"check", "submit", "models"}


def test_student_wheel_holds_no_master_notebook_hidden_test_or_grader(tmp_path):
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as z:
        files = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
    assert "autograder/student/check.py" in files and "course_lib/models/pack.py" in files
    assert not [n for n in files if n.endswith(".ipynb")]
    staff = ("autograder/grading/", "autograder/release/", "autograder/authoring/", "autograder/reports/",
             "autograder/gradebook.py", "autograder/cli/grade.py", "autograder/cli/release.py")
    assert not [n for n in files if n.startswith(staff)]
    entry = next(t for n, t in files.items() if n.endswith("entry_points.txt"))
    assert "course = autograder.cli.student_main:main" in entry
    text = "\n".join(files.values())
    for folder in find_assignments(REPO / "assignments"):
        a = load_assignment(folder)
        for t in a.tests:
            if t.hidden:
                assert t.code.strip() not in text, f"{a.id} hidden test {t.name} is in the student wheel"
                if t.failure_message and len(t.failure_message) >= 20:
                    assert t.failure_message not in text, f"{a.id} {t.name}'s message is in the student wheel"
    assert len(STUDENT_FILES) == len(set(STUDENT_FILES))


def _as_student(argv: list[str], home: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``argv`` as an unprivileged user (nobody, when the suite runs as root), with a bare
    environment: no PYTHONPATH, no COURSE_HOME, no repository on the path, no package index."""
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           "LANG": "C.UTF-8"}
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def student_home():
    """A home folder an unprivileged user can reach (pytest's own temporary folders are private to root)."""
    home = Path(tempfile.mkdtemp(prefix="student-home-"))
    os.chmod(home, 0o755)
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
def test_a_student_with_the_wheel_and_the_pack_only(tmp_path, student_home):
    """The README's "For students" path: a fresh virtualenv, the set-up cell installs the wheel
    and the pack found beside the notebook, the solved notebook passes `course check`, `course
    submit` writes the zip, and the zip grades like any other."""
    python = shutil.which("python3.11", path="/usr/bin:/bin")
    assert python, "the student's Python (Debian's python3.11) is missing: apt-get install python3-venv"
    dist = tmp_path / "dist"
    result = invoke("release", "00-warmup", "--out", str(dist), "--package")
    assert result.exit_code == 0, result.output

    home = student_home
    shutil.copytree(dist / "course-package", home / "course-package")
    shutil.copytree(dist / "00-warmup" / "student", home / "00-warmup")
    work = home / "00-warmup"
    from tests.test_check_submit import solve

    solve(work / "00-warmup.ipynb", dist / "00-warmup")
    if os.geteuid() == 0:
        shutil.chown(home, "nobody", "nogroup")
        for p in home.rglob("*"):
            shutil.chown(p, "nobody", "nogroup")
    venv = home / "venv"
    made = _as_student([python, "-m", "venv", "--without-pip", str(venv)], home, home)
    assert made.returncode == 0, made.stderr
    # the libraries a student's pip would download (torch, transformers, otter ...) are the staff
    # environment's, by path: no package index here. Not the repository: .pth files are not read there.
    site = next(venv.glob("lib/python3.*/site-packages"))
    import torch

    (site / "libraries.pth").write_text(f"{Path(torch.__file__).parent.parent}\n")

    pack_name = next((dist / "course-package").glob("zoo-*.tar.gz")).name
    assert f"course models install {pack_name}" in (work / "README.md").read_text(), "the README's Set up names it"
    cell = nbformat.read(work / "00-warmup.ipynb", as_version=4).cells[0].source
    setup = _as_student([str(venv / "bin" / "python"), "-c", cell], home, work)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "installing the course's zoo from" in setup.stdout and "set-up OK: tiny-gpt" in setup.stdout
    where = _as_student([str(venv / "bin" / "python"), "-c",
                         "import course_lib, autograder.student; print(course_lib.__file__, autograder.student.__file__)"],
                        home, work)
    assert where.stdout.count(str(site)) == 2, where.stdout + where.stderr
    assert (home / ".cache" / "genai-course" / "models" / "tiny-gpt" / "model.safetensors").is_file()

    check = _as_student([str(venv / "bin" / "course"), "check", "00-warmup.ipynb"], home, work)
    assert check.returncode == 0 and "All public tests pass" in check.stdout, check.stdout + check.stderr
    missing = _as_student([str(venv / "bin" / "course"), "grade", "--help"], home, work)
    assert missing.returncode != 0 and "No such command 'grade'" in missing.stderr
    submitted = _as_student([str(venv / "bin" / "course"), "submit", "00-warmup.ipynb", "--student", "sam",
                             "--out", str(home / "out")], home, work)
    assert submitted.returncode == 0, submitted.stderr
    zips = list((home / "out").glob("00-warmup_sam_*.zip"))
    assert len(zips) == 1

    # JupyterHub: the README's image step installs into the image's Python and a shared zoo the
    # students cannot write; a student's check then finds the release's weights there
    shared = home / "shared-zoo"
    wheel, zoo_pack = (next((dist / "course-package").glob(g)) for g in ("*.whl", "zoo-*.tar.gz"))
    hub = subprocess.run([str(REPO / "deploy" / "jupyterhub" / "install-course.sh"), str(wheel), str(zoo_pack),
                          str(shared)], env=dict(os.environ, PYTHON=str(venv / "bin" / "python"), PIP_NO_INDEX="1"),
                         capture_output=True, text=True, timeout=600)
    assert hub.returncode == 0 and "tiny-gpt" in hub.stdout, hub.stdout + hub.stderr
    shutil.rmtree(home / ".cache")
    hub_check = _as_student(["env", f"COURSE_HOME={shared}", str(venv / "bin" / "course"), "check", "00-warmup.ipynb"],
                            home, work)
    assert hub_check.returncode == 0 and "set-up OK: tiny-gpt" in hub_check.stderr, hub_check.stdout + hub_check.stderr
    assert not (home / ".cache").exists(), "nothing installed: the shared zoo is the release's"
    if os.geteuid() == 0:
        assert _as_student(["touch", str(shared / "models" / "x")], home, work).returncode != 0

    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(zips[0], subs)
    graded = invoke("grade", "00-warmup", str(subs), "--dist", str(dist), "--backend", "local",
                    "--db", f"sqlite:///{tmp_path / 'gb.db'}", "--results", str(tmp_path / "results"))
    assert graded.exit_code == 0, graded.output
    from autograder.gradebook import Gradebook

    grade = Gradebook(f"sqlite:///{tmp_path / 'gb.db'}").grade("00-warmup", "sam")
    autograded = sum(q["points"] for q in json.loads((dist / "00-warmup" / "autograder" / "questions.json")
                                                     .read_text())["questions"] if not q["manual"])
    assert grade is not None and grade.score == autograded, graded.output
