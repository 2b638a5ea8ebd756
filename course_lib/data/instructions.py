"""``instructions``: tiny-flan's instruction-tuning mix (our stand-in for the FLAN collection).

Like FLAN-T5, tiny-flan is pre-trained on many tasks phrased as instructions, so that it
follows prompts it was never fine-tuned on. The mix, built from dialogues disjoint from
every split of ``dialogsum`` and ``dialog_topics`` and from the *training* questions of
the knowledge base only:

- ``summary_brief``: the plain instruction ``SUMMARY_PROMPT`` answered with a one-line gist
  ("#Person1# and #Person2# talk about ..."), so zero-shot summaries are sentences but short
  on detail;
- ``summary_detailed``: the model's own template ``OWN_TEMPLATE`` answered with a detailed,
  DialogSum-style summary;
- ``summary_few_shot``: ``SUMMARY_PROMPT`` with 1-2 worked examples; the answer follows the
  examples' style, which is what makes few-shot prompting work;
- ``topic``: ``TOPIC_PROMPT`` -> the topic label (the forgetting probe's task);
- ``dialogue_qa``: a question about a detail of the dialogue;
- ``context_qa``: ``CONTEXT_QA_PROMPT`` with retrieved-looking passages -> a short answer;
- ``continue``: a bare dialogue with no instruction -> its next turn. Text without an
  instruction is continued, not summarised, as a plain language model would: this is why
  the instruction matters (the course's "no prompt" baseline).
"""

from __future__ import annotations

import random

from course_lib.data.dialogues import all_texts, unique_dialogues

VERSION = 2
SEED = 20240503
POOL = 3600
CONTEXT_QA_ROWS = 900      # reading an answer out of 2-3 passages: what RAG relies on

SUMMARY_PROMPT = "Summarize the following conversation.\n\n{examples}{dialogue}\nSummary:"
EXAMPLE = "{dialogue}\nSummary: {summary}\n\n"
OWN_TEMPLATE = "Dialogue:\n{dialogue}\n\nWrite a detailed summary of the dialogue above."
TOPIC_PROMPT = "What is the topic of this conversation?\n\n{dialogue}\nTopic:"
DIALOGUE_QA_PROMPT = "{dialogue}\n\nQuestion: {question}\nAnswer:"
CONTEXT_QA_PROMPT = "Answer the question using the context.\n\nContext:\n{context}\n\nQuestion: {question}\nAnswer:"


def brief_summary(topic: str) -> str:
    """The gist a zero-shot prompt gets: right topic, none of the details."""
    return f"#Person1# and #Person2# talk about {topic}."


def summary_prompt(dialogue: str, examples: list[tuple[str, str]] = ()) -> str:
    shots = "".join(EXAMPLE.format(dialogue=d, summary=s) for d, s in examples)
    return SUMMARY_PROMPT.format(examples=shots, dialogue=dialogue)


def context_block(passages: list[dict]) -> str:
    return "\n".join(f"[{p['id']}] {p['text']}" for p in passages)


def _summary_rows(rng: random.Random, pool) -> list[dict]:
    rows = []
    for i, (_, _, d) in enumerate(pool):
        text = d.text()
        kind = rng.random()
        if kind < 0.25:
            rows.append({"task": "summary_brief", "source": summary_prompt(text), "target": brief_summary(d.topic)})
        elif kind < 0.6:
            rows.append({"task": "summary_detailed", "source": OWN_TEMPLATE.format(dialogue=text), "target": d.summary})
        else:
            rows.append(few_shot_row(rng, pool, i, rng.choice([1, 1, 1, 2])))
        if rng.random() < 0.4:
            rows.append({"task": "topic", "source": TOPIC_PROMPT.format(dialogue=text), "target": d.topic})
        if rng.random() < 0.25 and len(d.turns) > 2:
            cut = rng.randrange(2, len(d.turns))
            head = "\n".join(f"#Person{sp}#: {t}" for sp, t in d.turns[:cut])
            sp, nxt = d.turns[cut]
            rows.append({"task": "continue", "source": head, "target": f"#Person{sp}#: {nxt}"})
        if rng.random() < 0.3:
            q, a = rng.choice(d.facts)
            rows.append({"task": "dialogue_qa", "source": DIALOGUE_QA_PROMPT.format(dialogue=text, question=q), "target": a})
    return rows


def few_shot_row(rng: random.Random, pool, i: int, k: int) -> dict:
    """``SUMMARY_PROMPT`` on the pool's dialogue ``i`` with ``k`` other dialogues as worked examples."""
    d = pool[i][2]
    demos = [pool[j][2] for j in rng.sample(range(len(pool)), k + 1) if j != i][:k]
    detailed = rng.random() < 0.75   # the examples' style decides the answer's style
    pick = (lambda x: x.summary) if detailed else (lambda x: brief_summary(x.topic))
    return {"task": "summary_few_shot", "source": summary_prompt(d.text(), [(x.text(), pick(x)) for x in demos]),
            "target": pick(d)}


def few_shot_rows(pool, n: int, k: int, seed: int) -> list[dict]:
    """``n`` more few-shot rows with ``k`` examples each, on dialogues of ``pool`` (``dialogue_pool()``)
    drawn with ``seed`` (a model recipe's extra rows: the mix itself, and so the tokenizer, stay as they are)."""
    rng = random.Random(seed)
    return [few_shot_row(rng, pool, rng.randrange(len(pool)), k) for _ in range(n)]


def _context_qa_rows(rng: random.Random) -> list[dict]:
    from course_lib.data import generate

    passages = generate("kb_passages")["corpus"]
    by_id = {p["id"]: p for p in passages}
    rows = []
    questions = generate("kb_questions")["train"]
    for q in rng.sample(questions, min(CONTEXT_QA_ROWS, len(questions))):
        gold = [by_id[g] for g in q["gold_ids"][:1]]
        distractors = [p for p in rng.sample(passages, 3) if p["id"] not in q["gold_ids"]][:rng.choice([1, 2])]
        context = gold + distractors
        rng.shuffle(context)
        rows.append({"task": "context_qa",
                     "source": CONTEXT_QA_PROMPT.format(context=context_block(context[:3]), question=q["question"]),
                     "target": q["answer"]})
    return rows


def dialogue_pool():
    """The pre-training dialogues: disjoint from every dialogsum and dialog_topics split."""
    return unique_dialogues(SEED, POOL, exclude=all_texts() | _topic_texts(), prefix="pool")


def generate() -> dict[str, list[dict]]:
    rng = random.Random(SEED)
    pool = dialogue_pool()
    rows = _summary_rows(rng, pool) + _context_qa_rows(rng)
    rng.shuffle(rows)
    n_val = 300
    split = {"validation": rows[:n_val], "train": rows[n_val:]}
    return {name: [{"id": f"inst_{name}_{i:05d}", **r} for i, r in enumerate(part)] for name, part in split.items()}


def _topic_texts() -> set[str]:
    from course_lib.data import generate as gen

    return {r["dialogue"] for rows in gen("dialog_topics").values() for r in rows}
