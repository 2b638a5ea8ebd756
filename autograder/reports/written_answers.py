"""Students' answers to written (manual) questions, found in their notebooks for the TAs' page.

The release marks each cell a student answers a written question in (``metadata.course.answer``)
and the question's own text cells (``metadata.course.question``). A student who deleted the
answer cell and wrote in a new one loses the mark; then the cells between the question's text
and the next marked or locked cell are shown, labelled as found by position, so a TA still
reads what the student wrote. Markdown is rendered with raw HTML escaped (markdown-it-py's
CommonMark preset with ``html`` off): a student's answer cannot put a script on a TA's page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from autograder.authoring.master import RESPONSE_CELL as PLACEHOLDER

KEY = "course"                                           # the release's cell metadata key
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> Markup:
    """Markdown as HTML, any raw HTML in it escaped."""
    return Markup(_markdown.render(text))


@dataclass
class Answer:
    cells: list[dict] = field(default_factory=list)      # {"kind": "markdown"|"code", "source": str}
    by_position: bool = False                            # found without the release's marks
    problem: str = ""                                    # why there is nothing to show

    @property
    def empty(self) -> bool:
        return not any(c["source"].strip() and c["source"].strip() != PLACEHOLDER for c in self.cells)

    def html(self) -> Markup:
        parts = []
        for c in self.cells:
            if c["kind"] == "markdown":
                parts.append(render_markdown(c["source"]))
            else:
                parts.append(f"<pre><code>{escape(c['source'])}</code></pre>")
        return Markup("\n".join(parts))


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _mark(cell) -> dict:
    meta = cell.get("metadata") or {}
    mark = meta.get(KEY) if isinstance(meta, dict) else None
    return mark if isinstance(mark, dict) else {}


def _locked(cell) -> bool:
    meta = cell.get("metadata") or {}
    return isinstance(meta, dict) and meta.get("editable") is False


def find_answer(notebook: dict, question: str) -> Answer:
    """The cells of ``notebook`` (parsed JSON) that answer ``question``."""
    cells = [c for c in notebook.get("cells", []) if isinstance(c, dict)]

    def as_answer(chosen) -> list[dict]:
        return [{"kind": "markdown" if c.get("cell_type") == "markdown" else "code", "source": _source(c)}
                for c in chosen if c.get("cell_type") in ("markdown", "code")]

    marked = [c for c in cells if _mark(c).get("answer") == question]
    if marked:
        return Answer(as_answer(marked))
    texts = [i for i, c in enumerate(cells) if _mark(c).get("question") == question]
    if not texts:
        return Answer(problem=f"the notebook has no cell of {question} (its text cells were removed)")
    found = []
    for c in cells[texts[-1] + 1:]:
        if _mark(c) or _locked(c) or "grader.check(" in _source(c):
            break
        found.append(c)
    return Answer(as_answer(found), by_position=True)


def answer_in_file(path: Path, question: str) -> Answer:
    """``find_answer`` on a stored notebook; an unreadable file is a problem to show, not an error."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Answer(problem="the graded notebook is not in this service's store (graded from elsewhere)")
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return Answer(problem=f"the graded notebook cannot be read: {type(e).__name__}")
    if not isinstance(notebook, dict):
        return Answer(problem="the graded notebook is not a notebook")
    return find_answer(notebook, question)
