"""Similar work across a class (``course similarity``): the few pairs a TA should look at.

Each student's *own* work is what the released notebook did not already hold: code cells that
differ from every starter cell (setup, ``grader.check`` and the notebook's own cells dropped),
and written answers (markdown cells that differ from every starter cell). Code is compared as
MOSS does, with copydetect (maintained, the same algorithm: pygments tokens with every name
replaced by one letter and comments and whitespace dropped, k-gram hashes winnowed); the
starter code's k-grams are boilerplate and count for nobody, so two untouched templates share
nothing. Written answers are compared as plain text the same way.

A pair is flagged when the share of either student's fingerprints that the other's also has
reaches ``threshold`` and they have at least ``min_shared`` in common, so that two short correct
answers to a one-line question do not make a case. Pages are written for the ``MAX_PAGES``
highest flags: more flags than that means a threshold or a starter notebook is wrong. Flags are for
staff only: they are written under ``reports/<id>/similarity/`` and on the dashboard, never on
a student's page, in a result or in an export.
"""

from __future__ import annotations

import io
import itertools
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from autograder.authoring.config import Similarity as Settings   # [similarity] of assignment.toml
from autograder.authoring.master import RESPONSE_CELL
from autograder.isolation.execution import is_release_cell

INDEX = "similarity.json"
MAX_PAGES = 100


@dataclass
class Work:
    student: str
    code: str
    text: str


@dataclass
class Pair:
    a: str
    b: str
    kind: str                       # "code" | "text"
    share_a: float                  # of a's fingerprints, the share b's work also has
    share_b: float
    shared: int                     # fingerprints in common
    flagged: bool
    slices_a: list = field(default_factory=list)     # [[start, end], ...] of a's code (or text) b's also has
    slices_b: list = field(default_factory=list)     # (filled for the pairs that get a page)

    @property
    def score(self) -> float:
        return max(self.share_a, self.share_b)


def _starter(template: Path) -> tuple[set[str], set[str], str]:
    nb = nbformat.read(str(template), as_version=4)
    code = [c.source.strip() for c in nb.cells if c.cell_type == "code"]
    text = [c.source.strip() for c in nb.cells if c.cell_type == "markdown"]
    return set(code), set(text) | {RESPONSE_CELL}, "\n\n".join(code)


def own_work(student: str, notebook, starter_code: set[str], starter_text: set[str]) -> Work:
    """What ``notebook`` (a path or bytes) adds to the released one."""
    raw = notebook.read_bytes() if isinstance(notebook, Path) else notebook
    nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    code, text = [], []
    for c in nb.cells:
        src = c.source.strip()
        if not src or (c.cell_type == "code" and (src in starter_code or is_release_cell(src))):
            continue
        if c.cell_type == "code":
            code.append(src)
        elif c.cell_type == "markdown" and src not in starter_text:
            text.append(src)
    return Work(student, "\n\n".join(code), "\n\n".join(text))


def _fingerprint(name: str, doc: str, s: Settings, boilerplate, language: str | None):
    from copydetect import CodeFingerprint

    return CodeFingerprint(name, s.k, s.window, boilerplate=boilerplate, filter=language is not None,
                           language=language, fp=io.StringIO(doc))


def _boilerplate(starter: str, s: Settings, language: str | None):
    if not starter.strip():
        return None
    # every k-gram of the starter (window 1), as copydetect does for its boilerplate files
    return np.unique(np.array(list(_fingerprint("starter", starter, Settings(s.threshold, s.k, 1), None,
                                                language).hashes)))


def fingerprints(works: list[Work], starter_code: str, s: Settings) -> dict[str, dict]:
    """``{"code" | "text": {student: CodeFingerprint}}`` of every student with work of that kind."""
    out: dict[str, dict] = {}
    for kind, language, starter in (("code", "python", starter_code), ("text", None, "")):
        boilerplate = _boilerplate(starter, s, language)
        out[kind] = {w.student: _fingerprint(w.student, doc, s, boilerplate, language)
                     for w in works if len(doc := (w.code if kind == "code" else w.text)) >= s.k}
    return out


def compare(prints: dict[str, dict], s: Settings) -> list[Pair]:
    """Every pair with a fingerprint in common, code and text apart, flagged first, then by share.

    The share is MOSS's measure, fingerprints in common over the student's own: a set
    intersection per pair (~30 us), where copydetect's character-exact overlap costs ~2 ms,
    which for the 44,850 pairs of 300 students is most of two minutes. That exact overlap is
    computed for the pairs that get a page (:func:`with_slices`)."""
    pairs: list[Pair] = []
    for kind, by_student in prints.items():
        for a, b in itertools.combinations(sorted(by_student), 2):
            ha, hb = by_student[a].hashes, by_student[b].hashes
            common = len(ha & hb)
            if not common:
                continue
            share_a, share_b = common / len(ha), common / len(hb)
            flagged = max(share_a, share_b) >= s.threshold and common >= s.min_shared
            pairs.append(Pair(a, b, kind, share_a, share_b, common, flagged))
    return sorted(pairs, key=lambda p: (not p.flagged, -p.score, p.a, p.b))


def with_slices(p: Pair, prints: dict[str, dict]) -> Pair:
    """``p`` with the regions of each side the other also has (copydetect's exact overlap)."""
    from copydetect import compare_files

    _, _, (sa, sb) = compare_files(prints[p.kind][p.a], prints[p.kind][p.b])
    p.slices_a, p.slices_b = np.asarray(sa, dtype=int).T.tolist(), np.asarray(sb, dtype=int).T.tolist()
    return p


def read_works(template: Path, submissions: Path, assignment: str) -> tuple[list[Work], str, list[str]]:
    """Each readable submission's own work, the starter code, and one line per unreadable one."""
    from autograder.grading.submissions import read_submissions

    starter_code, starter_text, starter = _starter(template)
    works, problems = [], []
    for sub in read_submissions(Path(submissions), assignment=assignment):
        if sub.superseded_by is not None:
            continue
        if sub.error or sub.notebook is None or not sub.student_id:
            problems.append(sub.error or f"{sub.source_path}: no notebook")
            continue
        try:
            works.append(own_work(sub.student_id, sub.notebook, starter_code, starter_text))
        except Exception as e:  # noqa: BLE001 - one unreadable notebook is skipped, named, not fatal
            problems.append(f"{sub.source_path}: not a readable notebook ({e})")
    return works, starter, problems


def write_index(folder: Path, assignment: str, settings: Settings, works: list[Work], pairs: list[Pair]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / INDEX
    data = {"assignment": assignment, "settings": asdict(settings), "students": len(works),
            "pairs": [asdict(p) for p in pairs if p.flagged]}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def pair_page_name(p: Pair) -> str:
    from autograder.reports.model import page_name

    return f"pair-{p.kind}-{page_name(p.a)[:-5]}--{page_name(p.b)[:-5]}.html"


def highlighted(doc: str, slices: list) -> str:
    """``doc`` as HTML with the shared regions in <mark> (escaped; copydetect's own highlighter)."""
    from copydetect.utils import highlight_overlap

    if not slices:
        from markupsafe import escape

        return str(escape(doc))
    spans = np.array(slices, dtype=int).T
    html, _ = highlight_overlap(doc, spans, "<mark>", "</mark>", escape_html=True)
    return html


def write_similarity(template: Path, submissions: Path, assignment: str, title: str, out: Path,
                     settings: Settings, env) -> tuple[list[Pair], list[str], Path]:
    """Compare the class and write ``out/similarity/``: an index of flagged pairs, a page per
    pair and ``similarity.json`` (what the dashboard reads). Returns the flagged pairs, the
    submissions that could not be read, and the index page. ``env`` is the reports' jinja
    environment (``render.environment()``: render reads this module's flags for the dashboard)."""
    from autograder.reports.model import page_name
    from course_lib.paths import atomic_write_text

    works, starter, problems = read_works(template, submissions, assignment)
    prints = fingerprints(works, starter, settings)
    all_flagged = [p for p in compare(prints, settings) if p.flagged]
    flagged = [with_slices(p, prints) for p in all_flagged[:MAX_PAGES]]
    folder = Path(out) / "similarity"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("pair-*.html"):      # a rerun's flags replace the last run's
        old.unlink()
    page = env.get_template("similarity.html")
    by_student = {w.student: w for w in works}
    for p in flagged:
        doc = (lambda w: w.code) if p.kind == "code" else (lambda w: w.text)
        atomic_write_text(folder / pair_page_name(p), page.render(
            title=title, pair=p, page_a=page_name(p.a), page_b=page_name(p.b), settings_k=settings.k,
            html_a=highlighted(doc(by_student[p.a]), p.slices_a), html_b=highlighted(doc(by_student[p.b]), p.slices_b)))
    index = folder / "index.html"
    atomic_write_text(index, page.render(title=title, pair=None, assignment=assignment, students=len(works),
                                         settings=settings, flagged=[(p, pair_page_name(p)) for p in flagged],
                                         more=len(all_flagged) - len(flagged), problems=problems))
    write_index(folder, assignment, settings, works, flagged)
    return all_flagged, problems, index


def flagged_pairs(report_dir: Path) -> list[dict] | None:
    """The flags ``course similarity`` left in ``report_dir`` for the dashboard (None: never run)."""
    path = Path(report_dir) / "similarity" / INDEX
    if not path.is_file():
        return None
    pairs = json.loads(path.read_text())["pairs"]
    for p in pairs:
        p["page"] = "similarity/" + pair_page_name(Pair(**p))
    return pairs
