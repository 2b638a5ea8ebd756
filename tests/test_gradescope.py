"""``course release --gradescope``: the zip, played the way Gradescope plays it, in containers with
the network off.

For 00-warmup and 02-fine-tuning (a training lab): the release's zip unpacked as
``/autograder/source`` in a container from our base image (plus Debian's Python 3.11, as
Gradescope's image has one), ``setup.sh`` run once with pip pointed at a local wheelhouse (built
here from the zip's own ``requirements.txt``: the registries are the only network the zip needs)
and committed as the grading image; then for each of the solution, the student template, a
mutant and a hostile notebook a fresh container runs ``run_autograder``. Each ``results.json``
must be valid against Gradescope's documented schema, score exactly what ``course grade``'s engine
gives the same notebook here (per test), and carry no hidden test's code; the hostile notebook
must find the hidden tests and the results file out of its reach.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.authoring.mutants import Mutant, mutant_notebook
from autograder.grading.bundle import Bundle
from autograder.grading.engine import grade_notebook
from autograder.isolation.docker import build_base_image
from autograder.release.pipeline import release
from autograder.release.targets.gradescope import grader_requirements
from course_lib.paths import cache_root
import kill_trace
from toy_notebooks import REPO
from toy_submissions import backend_or_fail, code_cell, outcomes

pytestmark = [pytest.mark.slow, pytest.mark.docker, pytest.mark.xdist_group("gradescope")]

LABS = {"00-warmup": "q2_greedy_argmin", "02-fine-tuning": "q4_lcs_off_by_one"}
IMAGE = "genai-course-gradescope-sim"
DOCKERFILE = f"""FROM {{base}}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \\
    python3.11 python3.11-venv && rm -rf /var/lib/apt/lists/*
"""
HOSTILE = '''
import json, pathlib
found = []
for p in ["/autograder/source/bundle/tests.json", "/autograder/source/bundle/reference.json", "/autograder/source/setup.sh"]:
    try:
        found.append("LEAKED " + pathlib.Path(p).read_text()[:80])
    except OSError as e:
        found.append(type(e).__name__)
try:
    pathlib.Path("/autograder/results/results.json").write_text(json.dumps({"score": 1000, "tests": []}))
    found.append("WROTE RESULTS")
except OSError as e:
    found.append(type(e).__name__)
raise RuntimeError("hostile cell: " + ", ".join(found))
'''

# Gradescope's autograder results format, as its specification documents it
FORMATS = ["text", "html", "simple_format", "md", "ansi"]
VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
ROW = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": {
    "score": {"type": "number"}, "max_score": {"type": "number"}, "status": {"enum": ["passed", "failed"]},
    "name": {"type": "string"}, "name_format": {"enum": FORMATS}, "number": {"type": "string"},
    "output": {"type": "string"}, "output_format": {"enum": FORMATS}, "tags": {"type": "array"},
    "visibility": {"enum": VISIBILITY}, "extra_data": {"type": "object"}}}
RESULTS_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["score", "tests"], "properties": {
    "score": {"type": "number"}, "execution_time": {"type": "number"}, "output": {"type": "string"},
    "output_format": {"enum": FORMATS}, "test_output_format": {"enum": FORMATS}, "test_name_format": {"enum": FORMATS},
    "visibility": {"enum": VISIBILITY}, "stdout_visibility": {"enum": VISIBILITY}, "extra_data": {"type": "object"},
    "tests": {"type": "array", "items": ROW}, "leaderboard": {"type": "array"}}}


def docker(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, **kw)


def run_container(name: str, *args: str, timeout: float, again: bool = True) -> subprocess.CompletedProcess:
    """``docker run --name name ARGS``, and if it fails, why: the container's state and every
    SIGKILL the machine sent while it ran (``kill_trace``).

    A container the runtime lost runs once more, with a warning that CI's log shows: one whose
    only killer was runc, not out of memory. That is ``runc delete --force`` after the container's
    shim went away (three set-up containers in full runs, never one run alone), which says
    nothing of the zip.
    """
    start = time.monotonic()
    done = docker("run", "--name", name, *args, timeout=timeout)
    done.why = ""
    if done.returncode != 0:
        state = docker("inspect", "-f", "{{json .State}}", name).stdout.strip()
        kills = kill_trace.kills(start, time.monotonic() + 1)
        done.why = (f"\n[container {name}: {state or 'gone'}]\n[SIGKILLs, and signals to shims, sent from t={start:.1f} to "
                    f"t={time.monotonic():.1f}: {kills}]")
        if again and kill_trace.lost_to_the_runtime(done.returncode, state, kills):
            warnings.warn(f"container {name} was lost to the container runtime (killed by runc alone, "
                          f"not out of memory); ran it again.{done.why}")
            docker("rm", "-f", name)
            return run_container(name, *args, timeout=timeout, again=False)
    return done


@pytest.fixture(scope="module", autouse=True)
def signal_trace():
    kill_trace.start()


@pytest.fixture(scope="module")
def sim_image(tmp_path_factory) -> str:
    """Our base image with Debian's Python 3.11 (Gradescope's images come with a Python)."""
    base = build_base_image(log=lambda *_: None)
    ctx = tmp_path_factory.mktemp("gs-image")
    (ctx / "Dockerfile").write_text(DOCKERFILE.format(base=base))
    done = docker("build", "-q", "-t", IMAGE, str(ctx), timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return IMAGE


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    """Wheels for the zip's requirements, from the package registries (a cache kept between runs)."""
    folder = cache_root() / "gradescope-wheelhouse"
    folder.mkdir(parents=True, exist_ok=True)
    reqs = folder / "requirements.txt"
    reqs.write_text("\n".join(grader_requirements()) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "-r", str(reqs),
                           "-w", str(folder)], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-2000:]
    return folder


def play_gradescope(image: str, zip_path: Path, wheels: Path, notebooks: dict[str, bytes], work: Path) -> dict:
    """setup.sh once (committed as the grading image), then run_autograder per notebook; name -> results."""
    source = work / "source"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(source)
    for name in ("setup.sh", "run_autograder"):
        (source / name).chmod(0o755)
    setup = f"gs-setup-{work.name}"
    docker("rm", "-f", setup)
    done = run_container(setup, "--network", "none", "-v", f"{wheels}:/wheels:ro",
                         "-v", f"{source}:/zip:ro", "-e", "PIP_NO_INDEX=1", "-e", "PIP_FIND_LINKS=/wheels", image,
                         "bash", "-c", "mkdir -p /autograder && cp -r /zip /autograder/source && bash /autograder/source/setup.sh"
                         " && cp /autograder/source/run_autograder /autograder/run_autograder", timeout=1200)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:] + done.why
    graded = f"{IMAGE}-graded:{work.name}"
    assert docker("commit", setup, graded).returncode == 0
    docker("rm", "-f", setup)
    out = {}
    try:
        for name, nb in notebooks.items():
            sub, res = work / name / "submission", work / name / "results"
            sub.mkdir(parents=True)
            res.mkdir()
            (sub / f"{zip_path.name.removesuffix('-gradescope.zip')}.ipynb").write_bytes(nb)
            (work / name / "meta.json").write_text(json.dumps({"users": [{"sid": f"s-{name}", "name": name}]}))
            done = run_container(f"gs-{work.name}-{name}", "--rm", "--network", "none",
                                 "-v", f"{sub}:/autograder/submission:ro",
                                 "-v", f"{work / name / 'meta.json'}:/autograder/submission_metadata.json:ro",
                                 "-v", f"{res}:/autograder/results", graded, "/autograder/run_autograder", timeout=900)
            assert done.returncode == 0, (done.stdout + done.stderr)[-3000:] + done.why
            out[name] = json.loads((res / "results.json").read_text())
    finally:
        docker("rmi", "-f", graded)
    return out


@pytest.mark.parametrize("lab", sorted(LABS))
def test_gradescope_zip_grades_like_course_grade(lab, sim_image, wheelhouse, tmp_path):
    dist = release(REPO / "assignments" / lab, tmp_path / "dist", gradescope=True).folder
    zip_path = dist / "gradescope" / f"{lab}-gradescope.zip"
    bundle = Bundle.load(dist / "autograder")
    mutant = Mutant.load(REPO / "assignments" / lab / "mutants" / f"{LABS[lab]}.py", {q["name"] for q in bundle.questions})
    template = json.loads((dist / "student" / f"{lab}.ipynb").read_text())
    template["cells"].append(code_cell(HOSTILE))
    notebooks = {"solution": (dist / "autograder" / "solution.ipynb").read_bytes(),
                 "template": (dist / "student" / f"{lab}.ipynb").read_bytes(),
                 "mutant": mutant_notebook(dist / "autograder" / "solution.ipynb", mutant),
                 "hostile": json.dumps(template).encode()}
    played = play_gradescope(sim_image, zip_path, wheelhouse, notebooks, tmp_path / "gs")

    sandbox = backend_or_fail("sandbox")
    sandbox.prepare(bundle.folder)
    hidden_code = [ln.strip() for t in bundle.tests if t.get("hidden") for ln in t["code"].splitlines()
                   if len(ln.strip()) >= 12 and not ln.strip().startswith("#")]
    for name, nb in notebooks.items():
        results = played[name]
        jsonschema.validate(results, RESULTS_SCHEMA)
        here = grade_notebook(bundle, nb, sandbox, student=f"s-{name}")
        assert results["score"] == pytest.approx(here["score"]), (name, results["score"], here["score"])
        rows = {r["name"].split(": ", 1)[1]: r for r in results["tests"] if "score" in r}
        assert {n: (r["status"], r["score"]) for n, r in rows.items()} == \
            {n: ("passed" if s == "passed" else "failed", p) for n, (s, p) in outcomes(here).items()}, name
        text = json.dumps(results)
        leaked = [ln for ln in hidden_code if ln in text]
        assert not leaked, (name, leaked[:3])
        for t in bundle.tests:
            row = rows[t["name"]]
            assert row["visibility"] == (bundle.config.gradescope_hidden if t.get("hidden") else "visible")
    assert played["solution"]["score"] == sum(q["points"] for q in bundle.questions if not q["manual"])
    assert played["mutant"]["score"] < played["solution"]["score"]
    hostile = played["hostile"]["output"]
    assert "hostile cell: PermissionError, PermissionError, PermissionError, PermissionError" in hostile, hostile
    assert "LEAKED" not in hostile and "WROTE RESULTS" not in hostile
    manual = [q["name"] for q in bundle.questions if q["manual"]]
    assert [r["name"] for r in played["solution"]["tests"] if "score" not in r] == [f"{q}: graded by staff" for q in manual]
