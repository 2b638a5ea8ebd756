"""The synthetic alignment and RAG data sets: toxicity, preferences, knowledge base.

Schemas and sizes, byte-identical determinism (also across hash seeds), disjoint splits,
label balance, content safety, and the knowledge base's internal consistency.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import subprocess
import sys

import pytest

import course_lib.data as data
from course_lib.data import knowledge_base as kb
from course_lib.data import preferences, toxicity

# Words the generators must never produce (strong profanity and slurs). Stored ROT13-encoded
# so the course repository does not carry them in plain text; decoded at import.
_BLOCKLIST_ROT13 = (
    "shpx fuvg ovgpu phag onfgneq qvpx pbpx nffubyr nefr chffl juber fyhg jnaxre gjng "
    "obyybpxf cvff qnza penc ohyyfuvg zbgureshpxre qhzonff wnpxnff avttre avttn snttbg snt "
    "ergneq fcnfgvp genaal qlxr xvxr puvax fcvp jrgonpx tbbx cnxv pbba enturnq"
)
BLOCKLIST = codecs.decode(_BLOCKLIST_ROT13, "rot13").split()
BLOCKED = re.compile(r"\b(?:%s)(?:s|es|ed|er|ers|ing|y)?\b" % "|".join(BLOCKLIST))
# Rudeness must target behaviour, never a group of people.
GROUP_WORDS = re.compile(
    r"\b(?:women|woman|men|girls?|boys?|gay|lesbian|muslims?|jews?|jewish|christians?|"
    r"black|asian|immigrants?|foreigners?|disabled|religion|race|old people|country)\b")

ROLE_PROMPT = re.compile(r"^(Customer|Student|User): [^\n]+\n(Agent|Tutor|Moderator):$")
PAIRS = {"Customer": "Agent", "Student": "Tutor", "User": "Moderator"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


@pytest.fixture(scope="module")
def tox():
    return data.generate("toxicity")


@pytest.fixture(scope="module")
def prefs():
    return data.generate("preferences")


@pytest.fixture(scope="module")
def passages():
    return data.generate("kb_passages")["corpus"]


@pytest.fixture(scope="module")
def questions():
    return data.generate("kb_questions")


@pytest.fixture(scope="module")
def rl():
    return toxicity.rl_prompts()


@pytest.fixture(scope="module")
def corpus():
    return preferences.lm_corpus()


@pytest.fixture(scope="module")
def all_texts(tox, prefs, passages, questions, rl, corpus):
    """Every string the three modules produce."""
    out = [r["text"] for rows in tox.values() for r in rows]
    out += [r[k] for rows in prefs.values() for r in rows for k in ("prompt", "chosen", "rejected")]
    out += [p["title"] + ". " + p["text"] for p in passages]
    out += [r[k] for rows in questions.values() for r in rows for k in ("question", "answer")]
    out += [r["prompt"] for rows in rl.values() for r in rows]
    return out + corpus


# ---------------------------------------------------------------------------- all modules


@pytest.mark.parametrize("name", ["toxicity", "preferences", "kb_passages", "kb_questions"])
def test_registered_with_version(name):
    assert name in data.names()
    assert data.version(name) == 1


def _digest() -> dict[str, str]:
    """sha256 of the JSON Lines of every split and extra, as the registry would write them."""
    out = {}
    for name in ("toxicity", "preferences", "kb_passages", "kb_questions"):
        for split, rows in data.generate(name).items():
            out[f"{name}/{split}"] = hashlib.sha256(data.to_jsonl(rows).encode()).hexdigest()
    for split, rows in toxicity.rl_prompts().items():
        out[f"rl/{split}"] = hashlib.sha256(data.to_jsonl(rows).encode()).hexdigest()
    out["lm_corpus"] = hashlib.sha256("\n".join(preferences.lm_corpus()).encode()).hexdigest()
    return out


def test_deterministic_in_process():
    # lru caches are cleared so the second run really regenerates everything
    first = _digest()
    preferences._prompt_pool.cache_clear()
    kb.build_world.cache_clear()
    kb._passages.cache_clear()
    assert _digest() == first


def test_deterministic_across_processes_and_hash_seeds():
    here = _digest()
    code = "import json, tests.test_data_synthetic as t; print(json.dumps(t._digest()))"
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, cwd=os.path.dirname(os.path.dirname(__file__)),
                              check=True)
        assert json.loads(proc.stdout) == here


def test_plain_json_rows(tox, prefs, passages, questions, rl):
    for rows in [*tox.values(), *prefs.values(), passages, *questions.values(), *rl.values()]:
        for r in rows:
            for v in r.values():
                assert isinstance(v, (str, int)) or (
                    isinstance(v, list) and all(isinstance(x, str) for x in v))
            assert json.loads(json.dumps(r)) == r


def test_no_blocked_words(all_texts):
    assert len(BLOCKLIST) > 30
    hits = [t for t in all_texts if BLOCKED.search(t.lower())]
    assert not hits, hits[:5]


def test_text_is_ascii_with_short_sentences(all_texts):
    for text in all_texts:
        assert text.isascii(), text
        for sentence in _sentences(text):
            assert len(sentence.split()) <= 25, sentence


def test_bounded_vocabulary(all_texts):
    vocab = {w for t in all_texts for w in _words(t)}
    assert 1000 <= len(vocab) <= 2500


def test_load_through_datasets(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    ds = data.load("toxicity")
    assert ds["train"].num_rows == len(data.generate("toxicity")["train"])
    assert set(ds["test"].column_names) == {"id", "text", "label"}
    corpus = data.load("kb_passages")["corpus"]
    assert corpus[0] == data.generate("kb_passages")["corpus"][0]
    assert (tmp_path / "data" / "kb_passages-v1" / "corpus.jsonl").exists()
    assert data.rows("kb_questions", "test") == data.generate("kb_questions")["test"]


# ---------------------------------------------------------------------------- toxicity


def test_toxicity_schema_and_sizes(tox):
    assert len(tox["train"]) >= 3000 and len(tox["validation"]) >= 300 and len(tox["test"]) >= 300
    for split, rows in tox.items():
        for r in rows:
            assert set(r) == {"id", "text", "label"}
            assert r["label"] in (0, 1) and r["text"].strip() == r["text"] and r["text"]


def test_toxicity_splits_disjoint(tox):
    ids = [r["id"] for rows in tox.values() for r in rows]
    texts = [r["text"] for rows in tox.values() for r in rows]
    assert len(set(ids)) == len(ids)
    assert len(set(texts)) == len(texts)


def test_toxicity_balanced(tox):
    for split, rows in tox.items():
        share = sum(r["label"] for r in rows) / len(rows)
        assert 0.45 <= share <= 0.55, split


def test_toxicity_has_hard_cases(tox):
    rows = [r for rs in tox.values() for r in rs]
    polite_with_bad_word = [r for r in rows if r["label"] == 0
                            and re.search(r"\b(idiot|stupid|useless|dumb|garbage|lazy)\b", r["text"])]
    polite_about_problems = [r for r in rows if r["label"] == 0 and "sorry" in r["text"].lower()]
    toxic_without_insult = [r for r in rows if r["label"] == 1 and not re.search(
        r"\b(idiots?|stupid|useless|dumb\w*|fool|clueless|lazy|pathetic|garbage|junk|clowns?|"
        r"genius|hopeless|joke|worst|ugly|silly|annoying|clumsy|nonsense|child)\b",
        r["text"].lower())]
    assert len(polite_with_bad_word) >= 100
    assert len(polite_about_problems) >= 300
    assert len(toxic_without_insult) >= 300


def test_toxic_texts_leave_groups_alone(tox, prefs):
    toxic = [r["text"] for rs in tox.values() for r in rs if r["label"] == 1]
    toxic += [r["rejected"] for rs in prefs.values() for r in rs]
    assert not [t for t in toxic if GROUP_WORDS.search(t.lower())]


def test_rl_prompts(rl, prefs, corpus):
    assert len(rl["train"]) >= 400 and len(rl["test"]) >= 100
    for rows in rl.values():
        for r in rows:
            assert set(r) == {"id", "prompt"}
            m = ROLE_PROMPT.match(r["prompt"])
            assert m and PAIRS[m.group(1)] == m.group(2)
    rl_all = [r["prompt"] for rows in rl.values() for r in rows]
    assert len(set(rl_all)) == len(rl_all)
    pref_prompts = {r["prompt"] for rows in prefs.values() for r in rows}
    assert not pref_prompts & set(rl_all)
    corpus_prompts = {text.split("\n")[0] for text in corpus}
    assert not corpus_prompts & {p.split("\n")[0] for p in (r["prompt"] for r in rl["test"])}


# ---------------------------------------------------------------------------- preferences


def test_preferences_schema_and_sizes(prefs):
    assert len(prefs["train"]) >= 2000
    assert len(prefs["validation"]) >= 200 and len(prefs["test"]) >= 200
    for rows in prefs.values():
        for r in rows:
            assert set(r) == {"id", "prompt", "chosen", "rejected"}
            m = ROLE_PROMPT.match(r["prompt"])
            assert m and PAIRS[m.group(1)] == m.group(2)
            assert r["chosen"].startswith(" ") and r["rejected"].startswith(" ")
            assert r["chosen"][1] != " " and r["rejected"][1] != " "
            assert r["chosen"] != r["rejected"]


def test_preferences_splits_disjoint(prefs):
    ids = [r["id"] for rows in prefs.values() for r in rows]
    assert len(set(ids)) == len(ids)
    by_split = {s: {r["prompt"] for r in rows} for s, rows in prefs.items()}
    assert all(len(by_split[s]) == len(prefs[s]) for s in prefs)  # no repeats inside a split
    assert not by_split["train"] & by_split["test"]
    assert not by_split["train"] & by_split["validation"]
    assert not by_split["validation"] & by_split["test"]


def _help_lines(topic: str, slots: dict) -> list[str]:
    return [preferences.fill(h, slots) for h in preferences.TOPICS[topic]["help"]]


def test_chosen_is_relevant_and_rejected_is_rude(prefs):
    for split, rows in prefs.items():
        for row, (prompt, topic, slots) in zip(rows, preferences.prompt_slice(split)):
            assert row["prompt"] == prompt
            # a concrete help step for the prompt's own problem (same product, day ...)
            assert any(h in row["chosen"] for h in _help_lines(topic, slots)), row
            assert not any(h in row["rejected"] for h in _help_lines(topic, slots)), row


def test_rejected_replies_are_toxic_by_the_classifier_data(prefs, tox):
    # the rejected replies and the toxic training texts come from one vocabulary of rudeness
    toxic_words = {w for r in tox["train"] if r["label"] == 1 for w in _words(r["text"])}
    for r in prefs["test"]:
        assert set(_words(r["rejected"])) <= toxic_words | set(_words(r["prompt"]))


def test_lm_corpus_mixes_polite_and_rude(corpus, prefs):
    assert len(corpus) >= 6000 and len(set(corpus)) == len(corpus)
    known = {p: (t, s) for name in ("train", "rl_train")
             for p, t, s in preferences.prompt_slice(name)}
    held_out = {r["prompt"] for s in ("validation", "test") for r in prefs[s]}
    polite = 0
    for text in corpus:
        prompt = text[: text.index(":", text.index("\n")) + 1]
        assert prompt in known and prompt not in held_out
        reply = text[len(prompt):]
        assert reply.startswith(" ") and len(reply) > 3
        topic, slots = known[prompt]
        polite += any(h in reply for h in _help_lines(topic, slots))
    assert 0.45 <= polite / len(corpus) <= 0.55


# ---------------------------------------------------------------------------- knowledge base


def test_passages_schema(passages):
    assert len(passages) >= 320
    ids = [p["id"] for p in passages]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"p\d{4}", i) for i in ids)
    titles = [p["title"] for p in passages]
    assert len(set(titles)) == len(titles)
    for p in passages:
        assert set(p) == {"id", "title", "text"}
        assert 30 <= len(p["text"].split()) <= 80, p


def test_questions_schema_and_sizes(questions, passages):
    assert len(questions["train"]) >= 600
    assert len(questions["validation"]) >= 100 and len(questions["test"]) >= 200
    text_of = {p["id"]: p["text"] for p in passages}
    for rows in questions.values():
        for q in rows:
            assert set(q) == {"id", "question", "answer", "gold_ids"}
            assert q["question"].endswith(("?", "."))
            assert 1 <= len(q["answer"].split()) <= 4
            assert 1 <= len(q["gold_ids"]) <= 2
            for pid in q["gold_ids"]:
                assert pid in text_of
                assert q["answer"] in text_of[pid], (q, text_of[pid])


def test_questions_name_their_entity(questions, passages):
    title_of = {p["id"]: p["title"].split(":")[0].lower() for p in passages}
    for rows in questions.values():
        for q in rows:
            assert any(title_of[pid] in q["question"].lower() or
                       title_of[pid].removeprefix("the ") in q["question"].lower()
                       for pid in q["gold_ids"]), q


def test_questions_split_by_fact(questions):
    ids = [q["id"] for rows in questions.values() for q in rows]
    assert len(set(ids)) == len(ids)
    asked = {s: {q["question"] for q in rows} for s, rows in questions.items()}
    assert not asked["train"] & (asked["validation"] | asked["test"])
    assert not asked["validation"] & asked["test"]
    # a fact is (answer, supporting passages): none asked in test is asked in train
    facts = {s: {(q["answer"], tuple(q["gold_ids"])) for q in rows} for s, rows in questions.items()}
    assert not facts["train"] & facts["test"]
    assert not facts["train"] & facts["validation"]
    # train sees several phrasings of a fact, and some facts in two directions
    assert len(questions["train"]) > len(facts["train"])


def test_every_fact_statement_is_gold(questions, passages):
    # if another passage names the entity and contains the answer, it must be gold too
    # (spot-check on founders: "Who founded X?" is answered by X's passage and the founder's)
    by_title = {p["title"]: p for p in passages}
    w = kb.build_world()
    founder_qs = [q for rows in questions.values() for q in rows if q["question"].startswith("Who founded ")]
    assert founder_qs
    for q in founder_qs:
        town = q["question"].removeprefix("Who founded ").rstrip("?")
        assert q["answer"] == w.settlements[town].founder
        assert set(q["gold_ids"]) == {by_title[town]["id"], by_title[q["answer"]]["id"]}


def test_knowledge_base_consistency(passages):
    w = kb.build_world()
    text = {p["title"]: p["text"] for p in passages}
    for t in w.settlements.values():
        founder = w.people[t.founder]
        # the founding is told the same way in the town's and the founder's passage
        for title in (t.name, founder.name):
            assert str(t.founded) in text[title] and founder.name in text[title]
            assert t.name in text[title]
        assert founder.born < t.founded
        assert f"{t.population:,}" in text[f"{t.name}: economy and customs"]
        near = w.settlements[t.nearest]
        assert near.island == t.island
        if near.nearest == t.name:  # mutual neighbours: same distance, opposite directions
            assert near.distance == t.distance
            opposite = {"north": "south", "east": "west", "south": "north", "west": "east"}
            flipped = "-".join(opposite[d] for d in t.direction.split("-"))
            assert near.direction == flipped
    for i in w.islands.values():
        towns = [w.settlements[s] for s in i.settlements]
        assert all(s.island == i.name for s in towns)
        assert max(towns, key=lambda s: s.population).name == i.largest
        assert i.largest in text[i.name]
        assert f"settlement on {i.name}" in text[i.largest]  # "the largest ..." / "No other ..."
    assert sum(len(i.settlements) for i in w.islands.values()) == len(w.settlements)
    for p in w.people.values():
        if p.birthplace in w.settlements:
            assert w.settlements[p.birthplace].founded < p.born
        else:
            assert p.birthplace in w.islands
    for inv in w.inventions.values():
        inventor = w.people[inv.inventor]
        assert inventor.invention == inv.name and inventor.born + 20 <= inv.year
        assert w.settlements[inv.town].founded <= inv.year
        assert str(inv.year) in text[inventor.name] and inv.name in text[inventor.name]
    for f in w.festivals.values():
        host = w.settlements[f.host]
        assert host.festival == f.name and host.founded < f.first_year
        assert f.month in text[f"{host.name}: economy and customs"]
    for g in w.goods.values():
        makers = [s for s in w.settlements.values() if s.export == g.name]
        assert max(makers, key=lambda s: s.population).name == g.producer


def test_passages_name_no_unknown_entity(passages):
    # every capitalised word inside a sentence is part of a name the world defines
    w = kb.build_world()
    known = set(kb.MONTHS) | {"Isles", "Mount"} | set(kb.ARCHIPELAGO.split())
    for name in [*w.islands, *w.settlements, *w.people, *w.festivals, *kb.PEAK_NAMES]:
        known.update(name.split())
    for p in passages:
        for sentence in _sentences(p["text"]):
            for word in re.findall(r"\b[A-Z][a-z]+", " ".join(sentence.split()[1:])):
                assert word in known, (word, p["text"])
