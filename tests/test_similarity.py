"""`course similarity` (issue 26): a copied pair is flagged, however renamed, recommented and
reordered; two untouched templates and independent solutions are not; flags stay on staff pages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.authoring.master import load_assignment
from autograder.cli import course
from autograder.release.pipeline import solution_notebook, write_student
from autograder.reports import AssignmentInfo, load_class, write_reports
from autograder.reports.similarity import RESPONSE_CELL
from report_fixtures import AID, build_sample_class

REPO = Path(__file__).resolve().parent.parent
LAB = "00-warmup"

# dave's own warm-up, written apart from the reference: the same behaviour, other code
DAVE = {
    "def count_tokens": '''def count_tokens(text):
    n = 0
    for _ in tokenizer.encode(text):
        n += 1
    return n


def round_trip(text):
    encoded = tokenizer.encode(text)
    decoded = tokenizer.decode(encoded)
    return decoded''',
    "def greedy_next_token": '''def greedy_next_token(logits):
    best, best_id = None, 0
    for i, v in enumerate(logits.tolist()):
        if best is None or v > best:
            best, best_id = v, i
    return best_id


def greedy_generate(model, tokenizer, prompt, max_new_tokens):
    seq = torch.tensor([tokenizer.encode(prompt)])
    out = []
    while len(out) < max_new_tokens:
        with torch.no_grad():
            nxt = greedy_next_token(model(seq).logits[0, -1])
        out.append(nxt)
        seq = torch.cat([seq, torch.tensor([[nxt]])], dim=1)
        if nxt == tokenizer.eos_token_id:
            return out
    return out''',
    "def top_k_filter": '''def top_k_filter(logits, k):
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    return torch.where(logits < kth, torch.tensor(float("-inf")), logits)''',
    "def top_p_filter": '''def top_p_filter(logits, p):
    if p >= 1:
        return logits.clone()
    ranked, idx = logits.softmax(-1).sort(-1, descending=True)
    keep_ranked = (ranked.cumsum(-1) - ranked) < p
    keep_ranked[..., 0] = True
    keep = torch.empty_like(keep_ranked).scatter_(-1, idx, keep_ranked)
    out = logits.clone()
    out[~keep] = float("-inf")
    return out''',
    "def next_token_probs": '''def next_token_probs(logits, temperature=1.0, top_k=None, top_p=None):
    z = logits / temperature
    z = z if top_k is None else top_k_filter(z, top_k)
    z = z if top_p is None else top_p_filter(z, top_p)
    e = torch.exp(z - z.max())
    return e / e.sum()


def sample_next_token(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    probs = next_token_probs(logits, temperature=temperature, top_k=top_k, top_p=top_p)
    drawn = torch.multinomial(probs, 1, generator=generator)
    return drawn.item()''',
}
ALICE_TEXT = ("Greedy decoding repeats the same polite phrase and never ends on its own, while sampling at "
              "temperature 1.5 wanders off topic and mixes rude and polite replies; top-p 0.9 keeps the reply "
              "on topic but still varies it from one seed to the next.")
MALLORY_TEXT = ("In my view greedy decoding repeats the same polite phrase and never ends on its own, while sampling "
                "at temperature 1.5 wanders off topic and mixes rude and polite replies; top-p 0.9 keeps the reply on "
                "topic but still varies it from one seed to the next.")
DAVE_TEXT = ("The argmax loop gets stuck in a loop of apologies. Turning the temperature up made answers "
             "stranger, and the nucleus cut kept things sensible.")
RENAMES = {"new_tokens": "produced", "ids": "context", "token": "choice", "values": "vals", "indices": "where",
           "filtered": "masked", "sorted_logits": "ordered", "mass_before": "cum_prev", "scaled": "z",
           "drop_sorted": "cut_ranked", "probs": "p_dist"}


def _answer_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and "otter_answer_cell" in c.metadata.get("tags", [])]


def _fill(template, code_by_head: dict[str, str], text: str | None):
    nb = nbformat.read(template, as_version=4)
    for c in _answer_cells(nb):
        c.source = code_by_head[c.source.split("\n")[0].split("(")[0]]
    for c in nb.cells:
        if text and c.cell_type == "markdown" and c.source.strip() == RESPONSE_CELL:
            c.source = text
    return nb


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A release of the warm-up's student side (no reference needed) and a class of five."""
    root = tmp_path_factory.mktemp("similarity")
    assignment = load_assignment(REPO / "assignments" / LAB)
    dist = root / "dist"
    write_student(assignment, dist / LAB / "student")
    (dist / LAB / "autograder").mkdir(parents=True)
    shutil.copy(REPO / "assignments" / LAB / "assignment.toml", dist / LAB / "autograder" / "assignment.toml")
    template = dist / LAB / "student" / f"{LAB}.ipynb"
    solution = {c.source.split("\n")[0].split("(")[0]: c.source
                for c in solution_notebook(assignment).cells if c.cell_type == "code"}
    subs = root / "subs"
    subs.mkdir()
    alice = _fill(template, solution, ALICE_TEXT)
    nbformat.write(alice, subs / "alice.ipynb")
    # mallory: alice's notebook, names changed, comments rewritten, two answer cells swapped
    mallory = _fill(template, solution, MALLORY_TEXT)
    for c in _answer_cells(mallory):
        src = re.sub(r"#.*", "# worked this out myself", c.source)
        for old, new in RENAMES.items():
            src = re.sub(rf"\b{old}\b", new, src)
        c.source = src
    cells = _answer_cells(mallory)
    i, j = mallory.cells.index(cells[2]), mallory.cells.index(cells[3])
    mallory.cells[i], mallory.cells[j] = mallory.cells[j], mallory.cells[i]
    nbformat.write(mallory, subs / "mallory.ipynb")
    for untouched in ("bob", "carol"):
        shutil.copy(template, subs / f"{untouched}.ipynb")
    nbformat.write(_fill(template, DAVE, DAVE_TEXT), subs / "dave.ipynb")
    (subs / "zed.ipynb").write_text("not a notebook {")
    return root, dist, subs


def test_the_copied_pair_is_flagged_and_nobody_else(lab):
    root, dist, subs = lab
    out = root / "reports"
    result = CliRunner().invoke(course, ["similarity", LAB, str(subs), "--dist", str(dist), "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "similarity" / "similarity.json").read_text())
    assert data["students"] == 5, "zed's unreadable file is named, not compared"
    assert "zed.ipynb" in result.output
    flagged = {(p["a"], p["b"], p["kind"]) for p in data["pairs"]}
    assert flagged == {("alice", "mallory", "code"), ("alice", "mallory", "text")}, data["pairs"]
    code = next(p for p in data["pairs"] if p["kind"] == "code")
    assert min(code["share_a"], code["share_b"]) >= 0.8, code


def test_untouched_templates_and_independent_work_share_little(lab):
    """The margins behind the flags: starter code counts for nobody, and dave's own solutions
    stay far below the threshold against both the reference and its copy."""
    from autograder.authoring.config import Similarity
    from autograder.reports.similarity import compare, fingerprints, read_works

    root, dist, subs = lab
    works, starter, _ = read_works(dist / LAB / "student" / f"{LAB}.ipynb", subs, LAB)
    by = {w.student: w for w in works}
    assert by["bob"].code == "" and by["bob"].text == "", "an untouched template has no work of its own"
    pairs = {(p.a, p.b, p.kind): p for p in compare(fingerprints(works, starter, Similarity()), Similarity())}
    assert not [k for k in pairs if "bob" in k or "carol" in k]
    for other in ("alice", "mallory"):
        p = pairs.get(tuple(sorted((other, "dave"))) + ("code",))
        assert p is None or p.score < 0.3, p


def test_pair_page_highlights_both_sides_and_links_the_feedback_pages(lab):
    root, dist, subs = lab
    out = root / "reports"
    CliRunner().invoke(course, ["similarity", LAB, str(subs), "--dist", str(dist), "--out", str(out)])
    page = next((out / "similarity").glob("pair-code-alice--mallory.html")).read_text()
    assert page.count("<mark>") >= 2 and 'href="../alice.html"' in page and 'href="../mallory.html"' in page
    assert "produced" in page and "new_tokens" in page, "each side shows its own code"
    assert "for course staff only" in page


def test_flags_are_on_the_dashboard_and_on_no_student_page(tmp_path):
    sc = build_sample_class(tmp_path)
    info = AssignmentInfo.load(AID, bundle_dir=sc.bundle)
    view = load_class(sc.gradebook, info)
    out = tmp_path / "reports"
    (out / "similarity").mkdir(parents=True)
    pair = {"a": "solution", "b": "late-larry", "kind": "code", "share_a": 0.97, "share_b": 0.95, "shared": 400,
            "flagged": True, "slices_a": [], "slices_b": []}
    (out / "similarity" / "similarity.json").write_text(json.dumps({"pairs": [pair]}))
    written = write_reports(view, out)
    dashboard = written.dashboard.read_text()
    assert "Similar work (staff only)" in dashboard and "similarity/pair-code-solution--late-larry.html" in dashboard
    for student, page in written.students.items():
        text = page.read_text().lower()
        assert "similar" not in text and "larry" not in text.replace(student.lower(), ""), student


@pytest.mark.browser
def test_pair_page_in_headless_chromium(lab):
    """The pair page and the index in Chromium: no console error, no request off the disk, both
    sides rendered with their highlights side by side; a screenshot for the README's reader."""
    from test_report_browser import SCREENSHOTS, offline_page

    root, dist, subs = lab
    out = root / "reports-browser"
    CliRunner().invoke(course, ["similarity", LAB, str(subs), "--dist", str(dist), "--out", str(out)])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with offline_page(1400) as (page, problems):
        page.goto((out / "similarity" / "index.html").as_uri(), wait_until="load")
        page.click("a[href='pair-code-alice--mallory.html']")
        page.wait_for_load_state("load")
        assert page.url.endswith("pair-code-alice--mallory.html")
        a, b = page.locator("#side-a"), page.locator("#side-b")
        for side in (a, b):      # most of each side is marked as shared
            marked = sum(len(t) for t in side.locator("mark").all_inner_texts())
            assert side.locator("mark").count() >= 1 and marked >= 0.5 * len(side.inner_text()), marked
        box_a, box_b = a.bounding_box(), b.bounding_box()
        assert box_a["x"] + box_a["width"] <= box_b["x"] + 1, "the two sides stand side by side"
        assert "worked this out myself" in b.inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"{LAB}-similarity-pair.png"), full_page=True)
    assert problems == []
