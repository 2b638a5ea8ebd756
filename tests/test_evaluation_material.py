"""``course_lib.evaluation``: the material 07-evaluation's tests rest on says what it claims.

A paraphrase keeps every fact of its reference; each error changes exactly one; the
multiple-choice items have one right option of the question's kind; the planted leaks are in the
corpus verbatim and the near misses are not. The lab's grading would be wrong if any of these were.
"""

from __future__ import annotations

import re

import pytest

from course_lib import data, evaluation

FACT_WORDS = evaluation._FACT_RE


def _facts(text: str) -> list[str]:
    return FACT_WORDS.findall(text)


def _negations(text: str) -> int:
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in ("not", "cannot", "unavailable") for w in words) + text.count("refuses to")


@pytest.fixture(scope="module")
def contrast():
    return evaluation.contrast_set("validation")


def test_paraphrases_keep_every_fact_and_errors_change_one(contrast):
    assert len(contrast) >= 60
    for it in contrast:
        ref, para = it["reference"], it["paraphrase"]
        assert para != ref and evaluation.paraphrase(ref)[1] >= evaluation.MIN_SWAPS
        assert _facts(para) == _facts(ref), (ref, para)
        assert re.findall(r"#Person\d#", para) == re.findall(r"#Person\d#", ref), (ref, para)
        # no synonym turns a fact into its opposite: as many negations either way
        assert _negations(para) == _negations(ref), (ref, para)
        kinds = [e["kind"] for e in it["errors"]]
        assert kinds[0] == "speaker" and len(set(kinds)) == len(kinds)
        for e in it["errors"]:
            assert e["text"] != ref
            if e["kind"] == "speaker":
                assert _facts(e["text"]) == _facts(ref)
                assert re.findall(r"#Person\d#", e["text"]) != re.findall(r"#Person\d#", ref)
            elif e["kind"] == "fact":
                before, after = _facts(ref), _facts(e["text"])
                assert len(before) == len(after) and sum(a != b for a, b in zip(before, after)) == 1, (ref, e["text"])
            else:
                assert "not" in e["text"].split() or "cannot" in e["text"].split(), e["text"]


def test_the_contrast_set_is_seeded_and_split_by_dialogue():
    assert evaluation.contrast_set("test", seed=0) == evaluation.contrast_set("test", seed=0)
    assert {it["id"] for it in evaluation.contrast_set("test")}.isdisjoint(it["id"] for it in evaluation.contrast_set("validation"))
    pairs = evaluation.judge_pairs("validation")
    assert len(pairs) == sum(len(it["errors"]) for it in evaluation.contrast_set("validation"))


def test_multiple_choice_items_have_one_right_option_of_the_questions_kind():
    rows = {r["id"]: r for r in data.generate("kb_questions")["validation"]}
    items = evaluation.mc_items("validation")
    assert len(items) >= 0.9 * len(rows)
    labels = [it["label"] for it in items]
    assert min(labels.count(i) for i in range(4)) >= len(items) / 8, "right options spread over positions"
    for it in items:
        row = rows[it["id"]]
        assert len(it["options"]) == 4 and len({o.lower() for o in it["options"]}) == 4
        assert it["options"][it["label"]] == row["answer"]
        assert it["passage"]["id"] in row["gold_ids"] and row["answer"] in it["prompts"]["open"]
        assert it["prompts"]["closed"].endswith(f"Question: {row['question']}\nAnswer:")
    # distractors are answers to questions of the same kind
    answers_by_kind = {}
    for split in data.generate("kb_questions").values():
        for r in split:
            answers_by_kind.setdefault(evaluation.question_type(r["question"]), set()).add(r["answer"])
    for it in items[:60]:
        assert set(it["options"]) <= answers_by_kind[it["kind"]], it


def test_topic_items_label_the_dialogues_topic():
    rows = data.generate("dialogsum")["validation"]
    items = evaluation.topic_items("validation")
    assert [it["id"] for it in items] == [r["id"] for r in rows]
    for it, r in zip(items, rows):
        assert it["options"][it["label"]] == r["topic"] and len(set(it["options"])) == 4
        assert r["dialogue"] in it["prompts"]["open"] and r["dialogue"] not in it["prompts"]["closed"]


def test_the_leaky_corpus_plants_items_verbatim_and_near_misses_without_the_question():
    items = evaluation.mc_items("validation")
    docs, planted = evaluation.leaky_corpus(items, seed=3)
    text = "\n".join(docs)
    by_id = {it["id"]: it for it in items}
    assert len(planted) == round(0.2 * len(items))
    for pid in planted:
        it = by_id[pid]
        assert f"{it['question']} Options: {', '.join(it['options'])}." in text
    clean = [it for it in items if it["id"] not in set(planted)]
    assert sum(it["question"] in text for it in clean) == 0
    assert evaluation.leaky_corpus(items, seed=3) == (docs, planted)
    assert evaluation.leaky_corpus(items, seed=4)[1] != planted
