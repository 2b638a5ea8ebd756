"""A sample class for demos and tests, made from a released assignment.

    python -m autograder.sample_class 00-warmup --out build/sample-class

Writes one submission per "student", in the layouts staff meet in practice (``course
submit`` zips with a manifest, bare notebooks, Canvas-style file names):

- the solution (on time, and once two days late), the untouched template,
- one student per mutant in ``assignments/<id>/mutants/``,
- the hostile and the broken: a cell that never ends, a process that dies mid-notebook,
  a memory bomb, and a file that is not a notebook at all.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from datetime import timedelta
from pathlib import Path

import nbformat

from autograder.authoring.mutants import Mutant, mutant_notebook
from course_lib.paths import repo_root

HOSTILE = {
    "frank-forever": "import time\nwhile True:\n    time.sleep(0.1)",
    "grace-exits": "import os\nos._exit(3)",
    "ivan-memory": "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 2**20))",
}


def _with_cell(solution: Path, code: str, position: int) -> bytes:
    nb = nbformat.read(str(solution), as_version=4)
    nb.cells.insert(position, nbformat.v4.new_code_cell(code))
    return nbformat.writes(nb).encode()


def make(assignment: str, dist: Path, out: Path) -> Path:
    from autograder.authoring.config import load_config
    from autograder.student.submit import submit

    bundle = dist / assignment / "autograder"
    solution = bundle / "solution.ipynb"
    template = next((dist / assignment / "student").glob("*.ipynb"))
    folder = out / assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    config = load_config(bundle / "assignment.toml")
    deadline = config.deadline

    def via_submit(student: str, data: bytes, when=None) -> None:
        scratch = folder / f".{student}.ipynb"
        scratch.write_bytes(data)
        zipped = submit(scratch, student, out_dir=folder, now=when)
        scratch.unlink()
        if when is not None:   # received then: lateness counts from the file's time, never the manifest's
            os.utime(zipped, (when.timestamp(), when.timestamp()))

    on_time = deadline - timedelta(hours=3) if deadline else None
    via_submit("alice", solution.read_bytes(), on_time)
    via_submit("erin-late", solution.read_bytes(), deadline + timedelta(days=1, hours=2) if deadline else None)
    (folder / "bob.ipynb").write_bytes(template.read_bytes())
    questions = {q["name"] for q in json.loads((bundle / "questions.json").read_text())["questions"]}
    mutants = sorted((repo_root() / "assignments" / assignment / "mutants").glob("*.py"))
    for i, path in enumerate(mutants):
        m = Mutant.load(path, questions)
        # Canvas-style download name: <name>_<user id>_<submission id>_<file name>
        (folder / f"mutant{i:02d}_{1000 + i}_{5000 + i}_{assignment}.ipynb").write_bytes(mutant_notebook(solution, m))
    n_cells = len(nbformat.read(str(solution), as_version=4).cells)
    for student, code in HOSTILE.items():
        via_submit(student, _with_cell(solution, code, n_cells // 2), on_time)
    (folder / "heidi-corrupt.ipynb").write_text("this is not a notebook {")
    return folder


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("assignment")
    ap.add_argument("--dist", default=str(repo_root() / "dist"))
    ap.add_argument("--out", default=str(repo_root() / "build" / "sample-class"))
    args = ap.parse_args(argv)
    print(make(args.assignment, Path(args.dist), Path(args.out)))


if __name__ == "__main__":
    main()
