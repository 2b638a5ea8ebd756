"""Shared pieces of 07-evaluation: the test material, generated from the course's data sets.

* ``contrast_set(split)``: for each dialogue of ``dialogsum``, its reference summary, a
  *faithful paraphrase* (synonyms swapped in, every fact kept) and *one-fact errors* in the
  reference's own wording (speakers swapped, a number/day/month/city changed, a negation).
  A metric that rewards shared words prefers the errors; that is the lesson.
* ``mc_items(split)``: multiple-choice questions from ``kb_questions``: the answer and three
  distractors of the same kind (other towns for a town, other years for a year), in a seeded
  order, with the gold passage for the open-book prompt.
* ``leaky_corpus(items, seed)``: a training corpus with some test items planted in it, for a
  contamination check.
* The prompts: ``CLOSED_BOOK_PROMPT`` (05-rag's), ``CONTEXT_QA_PROMPT`` (tiny-flan's reading
  format) and ``JUDGE_PROMPT`` (a pairwise judge in tiny-flan's dialogue-question format).

Everything is a pure function of the data sets and a seed, so the notebook, the reference and
the hidden tests build the same items.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from course_lib.data import _vocab
from course_lib.data.instructions import CONTEXT_QA_PROMPT, DIALOGUE_QA_PROMPT, OWN_TEMPLATE, TOPIC_PROMPT

__all__ = ["CLOSED_BOOK_PROMPT", "CONTEXT_QA_PROMPT", "OWN_TEMPLATE", "JUDGE_PROMPT", "JUDGE_LABELS", "contrast_set",
           "paraphrase", "errors_of", "mc_items", "topic_items", "judge_pairs", "leaky_corpus"]

CLOSED_BOOK_PROMPT = "Answer the question.\n\nQuestion: {question}\nAnswer:"
JUDGE_PROMPT = DIALOGUE_QA_PROMPT.format(
    dialogue="{dialogue}", question="Which summary is correct, A or B?\nA: {first}\nB: {second}")
JUDGE_LABELS = ("A", "B")

# ------------------------------------------------------------------------ contrast set
# Synonyms that keep every fact of a dialogsum summary. One left-to-right pass, longest first,
# so a replacement is never replaced again.
_SYNONYMS = {
    "books a table": "reserves a table", "reserves a table": "books a table",
    "books a": "reserves a", "books": "reserves",
    "wants": "would like", "asks for": "requests", "plan": "organise", "decide to": "agree to",
    "Because of": "Due to", "instead of": "rather than", "complains about": "objects to",
    "must pay": "has to pay", "has to deposit": "must pay in", "will decide later": "will make a decision later",
    "suggests": "proposes", "difficult": "hard", "brings back": "returns", "overdue": "late",
    "surprise party": "secret party", "invitations": "invites", "ready": "finished", "repair": "fix",
    "applies to be": "applies for a job as", "has worked": "has been working", "trip": "journey",
    "expected": "forecast", "go shopping": "go to the shops", "gets": "receives",
    "walk": "go on foot for", "turn right": "take a right", "turn left": "take a left",
    "film": "movie", "has had": "has been suffering from", "take some medicine": "take medication",
    "eat less sugar": "cut down on sugar", "apologises": "says sorry", "promises": "agrees",
    "is not available": "is unavailable", "a little": "some", "refuses to": "will not",
    "tells #Person1# about": "informs #Person1# about", "tells #Person2# about": "informs #Person2# about",
    "tells #Person1# to": "advises #Person1# to", "tells #Person2# to": "advises #Person2# to",
    "tells #Person1# how": "explains to #Person1# how", "tells #Person2# how": "explains to #Person2# how",
    "mentions": "brings up", "invite": "ask", "guests": "people coming",
}
_SYN_RE = re.compile(r"(?<![\w#])(" + "|".join(re.escape(k) for k in sorted(_SYNONYMS, key=len, reverse=True))
                     + r")(?![\w#])")
# The first verb or auxiliary of a summary, negated: one fact turned into its opposite.
_NEGATIONS = {
    "books": "does not book", "reserves": "does not reserve", "wants": "does not want", "tells": "does not tell",
    "brings back": "does not bring back", "complains": "does not complain", "applies": "does not apply",
    "plan": "do not plan", "decide": "do not decide", "asks": "does not ask", "checks": "does not check",
    "opens": "does not open", "suggests": "does not suggest", "finds": "does not find", "will": "will not",
    "must": "must not", "has had": "has not had", "is": "is not", "has": "does not have", "can": "cannot",
    "gets": "does not get", "agree": "do not agree", "decides": "does not decide", "needs": "does not need",
    "invite": "do not invite", "buys": "does not buy", "pays": "does not pay", "orders": "does not order",
    "likes": "does not like", "returns": "does not return",
}
_NEG_RE = re.compile(r"(?<![\w#])(" + "|".join(re.escape(k) for k in sorted(_NEGATIONS, key=len, reverse=True))
                     + r")(?![\w#])")
# Facts of the same kind: a changed one is a wrong number, day, month or city.
_FACT_KINDS = [list(_vocab.NUMBER_WORDS.values()), _vocab.DAYS, _vocab.MONTHS, _vocab.CITIES]
_FACT_RE = re.compile(r"(?<![\w#])(" + "|".join(sorted({w for kind in _FACT_KINDS for w in kind}, key=len, reverse=True))
                      + r"|\d+)(?![\w#])")
MIN_SWAPS = 2


def paraphrase(summary: str) -> tuple[str, int]:
    """``(text, n)``: the summary with every synonym of the table swapped in, and how many."""
    count = 0

    def swap(m: re.Match) -> str:
        nonlocal count
        count += 1
        return _SYNONYMS[m.group(1)]

    return _SYN_RE.sub(swap, summary), count


def _swap_speakers(summary: str) -> str:
    if "#Person1#" in summary and "#Person2#" in summary:
        return summary.replace("#Person1#", "\0").replace("#Person2#", "#Person1#").replace("\0", "#Person2#")
    if "#Person1#" in summary:
        return summary.replace("#Person1#", "#Person2#")
    return summary.replace("#Person2#", "#Person1#")


def _wrong_fact(summary: str, rng: random.Random) -> str | None:
    m = _FACT_RE.search(summary)
    if m is None:
        return None
    word = m.group(1)
    if word.isdigit():
        new = str(int(word) + rng.choice([-10, 10, 20, 50]) if int(word) > 50 else int(word) + rng.randint(1, 9))
    else:
        kind = next(k for k in _FACT_KINDS if word in k)
        new = rng.choice([w for w in kind if w != word and not re.search(rf"\b{w}\b", summary)])
    before = summary[:m.start()]
    if before.endswith((" a ", " an ")) or before in ("a ", "an ", "A ", "An "):   # "an eight", "a nine"
        before = re.sub(r"\b([Aa])n? $", lambda a: a.group(1) + ("n " if new[0] in "aeiou8" else " "), before)
    return before + new + summary[m.end():]


def _negated(summary: str) -> str | None:
    m = _NEG_RE.search(summary)
    return None if m is None else summary[:m.start()] + _NEGATIONS[m.group(1)] + summary[m.end():]


def errors_of(summary: str, rng: random.Random) -> list[dict]:
    """The one-fact errors of a summary: ``[{"kind": "speaker" | "fact" | "negation", "text"}]``."""
    out = [{"kind": "speaker", "text": _swap_speakers(summary)}]
    for kind, text in (("fact", _wrong_fact(summary, rng)), ("negation", _negated(summary))):
        if text is not None and text != summary:
            out.append({"kind": kind, "text": text})
    return [e for e in out if e["text"] != summary]


@lru_cache(maxsize=8)
def _contrast(split: str, seed: int) -> tuple:
    from course_lib import data

    rng = random.Random(f"contrast/{split}/{seed}")
    items = []
    for row in data.generate("dialogsum")[split]:
        text, n = paraphrase(row["summary"])
        if n < MIN_SWAPS:
            continue
        items.append({"id": row["id"], "dialogue": row["dialogue"], "reference": row["summary"],
                      "paraphrase": text, "errors": errors_of(row["summary"], rng)})
    return tuple(items)


def contrast_set(split: str = "test", n: int | None = None, seed: int = 0) -> list[dict]:
    """The dialogues of ``dialogsum[split]`` whose summary takes at least two synonyms, in order:
    ``{"id", "dialogue", "reference", "paraphrase", "errors": [{"kind", "text"}]}``."""
    items = [{**it, "errors": [dict(e) for e in it["errors"]]} for it in _contrast(split, seed)]
    return items if n is None else items[:n]


# ------------------------------------------------------------------- multiple choice
@lru_cache(maxsize=1)
def _template_regexes() -> tuple[tuple[str, re.Pattern], ...]:
    """One compiled pattern per question template (compiled once: ``_mc`` asks for every question)."""
    from course_lib.data import knowledge_base as kb

    out = []
    for qtype, templates in kb.QUESTIONS.items():
        for t in templates:
            text = t.replace("{arch}", kb.ARCHIPELAGO)
            text = text[0].upper() + text[1:] if not text.startswith("{s}") else text
            pattern = re.escape(text).replace(re.escape("{s}"), "(?P<s>.+)")
            out.append((qtype, re.compile(f"^{pattern}$", re.IGNORECASE)))
    return tuple(out)


def question_type(question: str) -> str:
    """The knowledge base's kind of fact a question asks (``settlement.founder``, ...)."""
    for qtype, rx in _template_regexes():
        if rx.match(question):
            return qtype
    raise ValueError(f"no question template matches {question!r}")


@lru_cache(maxsize=8)
def _mc(split: str, seed: int) -> tuple:
    from course_lib import data

    questions = data.generate("kb_questions")
    passages = {p["id"]: p for p in data.generate("kb_passages")["corpus"]}
    answers: dict[str, set[str]] = {}
    for rows in questions.values():
        for r in rows:
            answers.setdefault(question_type(r["question"]), set()).add(r["answer"])
    rng = random.Random(f"mc/{split}/{seed}")
    items = []
    for r in questions[split]:
        qtype = question_type(r["question"])
        pool = sorted(a for a in answers[qtype] if a.lower() != r["answer"].lower())
        if len(pool) < 3:
            continue
        options = [r["answer"], *rng.sample(pool, 3)]
        rng.shuffle(options)
        gold = passages[r["gold_ids"][0]]
        prompts = {"closed": CLOSED_BOOK_PROMPT.format(question=r["question"]),
                   "open": CONTEXT_QA_PROMPT.format(context=f"[{gold['id']}] {gold['text']}", question=r["question"])}
        items.append({"id": r["id"], "question": r["question"], "kind": qtype, "options": options,
                      "label": options.index(r["answer"]), "prompts": prompts,
                      "passage": {"id": gold["id"], "text": gold["text"]}})
    return tuple(items)


def _copy(items: tuple, n: int | None) -> list[dict]:
    out = [{**it, "options": list(it["options"]), "prompts": dict(it["prompts"]),
            **({"passage": dict(it["passage"])} if "passage" in it else {})} for it in items]
    return out if n is None else out[:n]


def mc_items(split: str = "test", n: int | None = None, seed: int = 0) -> list[dict]:
    """Four-option knowledge-base questions: ``{"id", "question", "kind", "options", "label",
    "prompts", "passage"}``: ``label`` is the index of the right option, ``prompts["closed"]`` asks the
    question alone, ``prompts["open"]`` gives the gold passage first (tiny-flan's reading format)."""
    return _copy(_mc(split, seed), n)


@lru_cache(maxsize=8)
def _topics(split: str, seed: int) -> tuple:
    from course_lib import data

    rows = data.generate("dialogsum")
    labels = sorted({r["topic"] for r in rows["train"]})
    rng = random.Random(f"topic/{split}/{seed}")
    items = []
    for r in rows[split]:
        options = [r["topic"], *rng.sample([t for t in labels if t != r["topic"]], 3)]
        rng.shuffle(options)
        items.append({"id": r["id"], "question": TOPIC_PROMPT.format(dialogue="").strip(), "kind": "topic",
                      "options": options, "label": options.index(r["topic"]),
                      "prompts": {"closed": TOPIC_PROMPT.format(dialogue=""),
                                  "open": TOPIC_PROMPT.format(dialogue=r["dialogue"])}})
    return tuple(items)


def topic_items(split: str = "test", n: int | None = None, seed: int = 0) -> list[dict]:
    """Four-option topic questions about ``dialogsum`` dialogues, shaped like ``mc_items``:
    ``prompts["open"]`` holds the dialogue, ``prompts["closed"]`` the instruction alone."""
    return _copy(_topics(split, seed), n)


def judge_pairs(split: str = "test", n: int | None = None, seed: int = 0) -> list[dict]:
    """One row per (dialogue, error) of ``contrast_set``: ``{"id", "dialogue", "reference",
    "paraphrase", "error", "kind"}``."""
    rows = [{"id": f"{it['id']}/{e['kind']}", "dialogue": it["dialogue"], "reference": it["reference"],
             "paraphrase": it["paraphrase"], "error": e["text"], "kind": e["kind"]}
            for it in contrast_set(split, seed=seed) for e in it["errors"]]
    return rows if n is None else rows[:n]


# ------------------------------------------------------------------- contamination
def leaky_corpus(items: list[dict], seed: int, n_docs: int = 300, leak_share: float = 0.2) -> tuple[list[str], list[str]]:
    """``(documents, leaked ids)``: dialogues from ``dialogsum`` train (the "crawl"), with
    ``leak_share`` of the multiple-choice ``items`` planted verbatim (question, options and
    answer, as a quiz page would print them) inside documents, and as many others whose
    *entity* is mentioned without the question (near misses a loose check would flag)."""
    from course_lib import data

    rng = random.Random(f"leaks/{seed}")
    docs = [r["dialogue"] for r in rng.sample(data.generate("dialogsum")["train"], n_docs)]
    order = list(range(len(items)))
    rng.shuffle(order)
    n_leak = round(len(items) * leak_share)
    leaked = sorted(order[:n_leak])
    for i in leaked:
        it = items[i]
        quiz = f"Quiz. {it['question']} Options: {', '.join(it['options'])}. Answer: {it['options'][it['label']]}."
        j = rng.randrange(len(docs))
        docs[j] = f"{docs[j]}\n{quiz}"
    for i in order[n_leak:2 * n_leak]:   # the topic leaks, the question does not
        it = items[i]
        docs.append(f"Notes on the Oressa Isles. {it['passage']['text'].split('.')[0]}.")
    return docs, [items[i]["id"] for i in leaked]
