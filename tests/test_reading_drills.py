"""course_lib.data.reading_drills: tiny-flan's reading drills from renamed knowledge-base worlds."""

from __future__ import annotations

import re

import pytest

from course_lib import data
from course_lib.data import knowledge_base as kb
from course_lib.data import reading_drills as rd

KINDS = {"sentence": 0.25, "passage": 0.25, "chunks": 0.25, "distractors": 0.25}


@pytest.fixture(scope="module")
def drills():
    return rd.drills(1500, seed=7, kinds=KINDS)


def _question(prompt: str) -> str:
    return prompt.rsplit("Question: ", 1)[1].removesuffix("\nAnswer:")


def _context(prompt: str) -> str:
    return prompt.split("Context:\n", 1)[1].split("\n\nQuestion: ", 1)[0]


def test_a_renamed_world_is_the_knowledge_base_with_names_swapped():
    names = sorted({n for group in rd._name_groups() for n in group}, key=len, reverse=True)
    blank = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)
    original, renamed = kb._passages(), rd.renamed_world(11)
    assert [p[0] for p in renamed] == [p[0] for p in original]
    changed = 0
    for (_, _, text, _), (_, _, new_text, claims) in zip(original, renamed):
        # the same sentences, only the names differ
        assert blank.sub("#", new_text) == blank.sub("#", text)
        changed += new_text != text
        for _, subject, answer, _ in claims:      # every renamed claim is still told by its passage
            assert answer in new_text, (answer, new_text)
    assert changed > 0.9 * len(original)
    assert rd.renamed_world(11) == renamed and rd.renamed_world(12) != renamed


def test_every_drill_holds_its_answer_in_its_context(drills):
    assert len(drills) == 1500
    for prompt, answer in drills:
        assert prompt.startswith("Answer the question using the context.")
        assert answer and answer in _context(prompt), (answer, prompt)


def test_no_drill_asks_a_held_out_question(drills):
    """The knowledge base's validation and test facts stay held out, in every phrasing."""
    held_out = {kb._question(t, s) for qtype, s in kb.held_out_keys() for t in kb.QUESTIONS[qtype]}
    questions = data.generate("kb_questions")
    assert all(r["question"] in held_out for split in ("validation", "test") for r in questions[split])
    assert not any(r["question"] in held_out for r in questions["train"])
    assert not any(_question(p) in held_out for p, _ in drills)


def test_drills_are_seeded_and_use_every_kind(drills):
    assert rd.drills(50, seed=7, kinds=KINDS) == drills[:50]
    assert rd.drills(50, seed=8, kinds=KINDS) != drills[:50]
    lines = [len(_context(p).split("\n")) for p, _ in drills]
    assert min(lines) == 1 and max(lines) == 3     # one sentence or passage; three chunks or passages
    with pytest.raises(ValueError, match="unknown context kind"):
        rd.drills(5, seed=1, kinds={"paragraph": 1.0})
