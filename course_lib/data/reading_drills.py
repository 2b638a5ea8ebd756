"""Reading drills: tiny-flan's training for retrieval-augmented generation (05-rag).

RAG beats closed-book only if the generator reads the answer out of its context. A drill is
a ``CONTEXT_QA_PROMPT`` whose context holds the answer, from a *renamed* Oressa world: the
knowledge base's passages with the names of islands, towns, people, festivals, inventions,
goods and peaks shuffled within their kind ("Hestane was founded in 1198 by Brisa Holtiver"
may become "Ithbeck was founded in 1198 by Isbet Dellick"). Each world tells different facts
about the same names, so a drill can only be answered by reading, never from memory.

Why renamed rather than freshly generated worlds: the course tokenizer has one token for most
knowledge-base names, and a model only learns to *emit* a token it is trained to emit. Worlds
drawn from other seeds use other names, which that tokenizer splits into pieces; a reader
trained on them never learns to write "Darova" (``benchmarks/reader_drills.py``: 2,000 steps of
other-seed drills leave tiny-flan at gold-passage F1 0.10).

No drill asks about a (relation, subject) pair that the knowledge base's validation or test
questions ask, in either direction, true or renamed: the held-out facts stay held out.
"""

from __future__ import annotations

import random
import re

from course_lib.data import knowledge_base as kb
from course_lib.data.instructions import CONTEXT_QA_PROMPT, context_block

CHUNK_WORDS, CHUNK_OVERLAP = 22, 5     # about the 32-token chunks of 05-rag


def _name_groups() -> list[list[str]]:
    """Names that may stand in for each other: the same kind (and pronoun, for people)."""
    w = kb.build_world()
    people = {pronoun: [p for p in w.people if w.people[p].pronoun == pronoun] for pronoun in ("she", "he")}
    return [list(w.islands), list(w.settlements), people["she"], people["he"], list(w.festivals),
            list(w.inventions), list(w.goods), [i.peak for i in w.islands.values()]]


def renamed_world(seed: int) -> list[tuple[str, str, str, tuple]]:
    """The knowledge base's passages ``(id, title, text, claims)`` with names shuffled by ``seed``."""
    rng = random.Random(seed)
    mapping: dict[str, str] = {}
    for group in _name_groups():
        shuffled = rng.sample(group, len(group))
        for old, new in zip(group, shuffled):
            mapping[old] = new
            mapping[old[0].upper() + old[1:]] = new[0].upper() + new[1:]   # "Coral dye" at a sentence start
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, mapping), key=len, reverse=True)) + r")\b")

    def rename(s: str) -> str:      # one pass, so a swap never chains (A -> B -> C)
        return pattern.sub(lambda m: mapping[m.group(1)], s)

    return [(pid, rename(title), rename(text), tuple((q, rename(s), rename(a), g) for q, s, a, g in claims))
            for pid, title, text, claims in kb._passages()]


def _windows(text: str) -> list[str]:
    words = text.split()
    step = CHUNK_WORDS - CHUNK_OVERLAP
    return [" ".join(words[i:i + CHUNK_WORDS]) for i in range(0, max(1, len(words) - CHUNK_OVERLAP), step)]


def _context(kind: str, pid: str, text: str, answer: str, world, rng: random.Random) -> list[dict]:
    if kind == "sentence":
        sentences = re.split(r"(?<=\.) ", text)
        return [{"id": pid, "text": next((s for s in sentences if answer in s), text)}]
    if kind == "passage":
        return [{"id": pid, "text": text}]
    others = [p for p in rng.sample(world, 3) if p[0] != pid][:2]
    if kind == "distractors":
        context = [{"id": pid, "text": text}] + [{"id": p[0], "text": p[2]} for p in others[:rng.choice([1, 2])]]
    elif kind == "chunks":     # what 05-rag's retriever returns: three windows, one with the answer
        hits = [w for w in _windows(text) if answer in w] or [text]
        context = [{"id": pid, "text": rng.choice(hits)}] + [{"id": p[0], "text": rng.choice(_windows(p[2]))}
                                                              for p in others]
    else:
        raise ValueError(f"unknown context kind {kind!r}")
    rng.shuffle(context)
    return context


def drills(n: int, seed: int, kinds: dict[str, float]) -> list[tuple[str, str]]:
    """``n`` (prompt, answer) drills from renamed worlds; ``kinds`` weighs the context kinds
    (``sentence``, ``passage``, ``chunks``, ``distractors``)."""
    rng = random.Random(seed)
    held_out = kb.held_out_keys()
    names, weights = list(kinds), list(kinds.values())
    rows: list[tuple[str, str]] = []
    world_seed = seed
    while len(rows) < n:
        world_seed += 1
        world = renamed_world(world_seed)
        claims = [(pid, text, c) for pid, _, text, cs in world for c in cs if (c[0], c[1]) not in held_out]
        rng.shuffle(claims)
        for pid, text, (qtype, subject, answer, _) in claims[:n - len(rows)]:
            question = kb._question(rng.choice(kb.QUESTIONS[qtype]), subject)
            kind = rng.choices(names, weights)[0]
            context = _context(kind, pid, text, answer, world, rng)
            rows.append((CONTEXT_QA_PROMPT.format(context=context_block(context), question=question), answer))
    return rows
