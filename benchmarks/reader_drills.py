"""Can tiny-flan learn to read? The experiment behind 05-rag's open acceptance figure.

RAG beats closed-book only if the generator copies the answer out of its context. This script
fine-tunes tiny-flan (or a fresh model of the same shape, ``--scratch``) on reading drills
from *counterfactual* Oressa worlds (the knowledge base rendered from other seeds, so answers
cannot be memorised, only read), then prints answer token F1 on the real knowledge base's test
questions with the gold passage's sentence that holds the answer as context (``sentence``), the
gold passage (``gold``) and the gold passage with two distractor passages added (``gold+2``),
and the F1 on passage drills of the kind it trained on (did it learn its own task?).

    python benchmarks/reader_drills.py --steps 2000 --lr 2e-3 --worlds 10 --contexts mix
    python benchmarks/reader_drills.py --steps 1000 --lr 2e-3 --worlds 10 --scratch

``--contexts``: ``sentence`` (the sentence holding the answer), ``passage``, ``distractors``
(the passage and 1-2 others), ``mix`` (all three), ``none`` (closed-book drills), ``copy``
(the control: "Repeat: <a sentence>" -> the sentence; its F1 figures mean nothing, its loss
shows whether the model can copy at all). The zoo is not touched; figures go to stdout.

``--renamed`` draws the drills tiny-flan's own mix has instead (``course_lib.data.reading_drills``:
the knowledge base with names shuffled, one context kind), and ``--recipe KEY=JSON`` changes the
fresh model's ``flan.RECIPE`` keys, to see how soon a shape or initialisation learns to copy:

    python benchmarks/reader_drills.py --scratch --renamed --contexts sentence --steps 2000 --lr 1e-3 \
        [--recipe scale_output=true]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time

from course_lib import numerics

numerics.pin()      # the kernels the zoo is built and graded with, before torch computes
import torch  # noqa: E402

from course_lib import data, metrics  # noqa: E402
from course_lib.data import knowledge_base as kb  # noqa: E402
from course_lib.data.instructions import CONTEXT_QA_PROMPT, context_block  # noqa: E402
from course_lib.generation import generate, greedy_config  # noqa: E402
from course_lib.models import zoo  # noqa: E402
from course_lib.training import seq2seq_batcher, train_loop  # noqa: E402

CLOSED_BOOK = "Answer the question.\n\nQuestion: {question}\nAnswer:"


def counterfactual_world(seed: int):
    """The knowledge base's passages rendered from another seed (None if that seed's world is invalid)."""
    saved = kb.SEED
    kb.SEED = seed
    kb.build_world.cache_clear()
    kb._passages.cache_clear()
    try:
        return kb._passages()
    except (IndexError, AssertionError, ValueError):    # some seeds draw an impossible world
        return None
    finally:
        kb.SEED = saved
        kb.build_world.cache_clear()
        kb._passages.cache_clear()


def drills(passages, contexts: str, rng: random.Random) -> list[tuple[str, str]]:
    """(prompt, answer) for every fact of every passage, asked in a random phrasing."""
    rows = []
    for pid, _, text, claims in passages:
        sentences = re.split(r"(?<=\.) ", text)
        for qtype, subject, answer, _ in claims:
            question = kb._question(rng.choice(kb.QUESTIONS[qtype]), subject)
            kind = contexts if contexts != "mix" else rng.choice(["sentence", "passage", "distractors", "distractors"])
            if kind == "none":
                rows.append((CLOSED_BOOK.format(question=question), answer))
                continue
            if kind == "copy":      # the control: copying without having to find what to copy
                sentence = rng.choice(sentences)
                rows.append((f"Repeat: {sentence}", sentence))
                continue
            if kind == "sentence":
                context = [{"id": pid, "text": next((s for s in sentences if answer in s), text)}]
            elif kind == "passage":
                context = [{"id": pid, "text": text}]
            else:
                others = [{"id": p[0], "text": p[2]} for p in rng.sample(passages, 2) if p[0] != pid]
                context = [{"id": pid, "text": text}] + others[:rng.choice([1, 2])]
                rng.shuffle(context)
            rows.append((CONTEXT_QA_PROMPT.format(context=context_block(context), question=question), answer))
    return rows


def real_test_prompts(n: int = 100) -> tuple[dict[str, list[str]], list[str]]:
    passages = data.generate("kb_passages")["corpus"]
    by_id = {p["id"]: p for p in passages}
    test = data.generate("kb_questions")["test"][:n]
    rng = random.Random(5)
    sets = {"sentence": [], "gold": [], "gold+2": []}
    for q in test:
        gold = by_id[q["gold_ids"][0]]
        sentence = next((s for s in re.split(r"(?<=\.) ", gold["text"]) if q["answer"] in s), gold["text"])
        sets["sentence"].append(CONTEXT_QA_PROMPT.format(context=context_block([{**gold, "text": sentence}]),
                                                         question=q["question"]))
        sets["gold"].append(CONTEXT_QA_PROMPT.format(context=context_block([gold]), question=q["question"]))
        context = [gold] + [p for p in rng.sample(passages, 3) if p["id"] not in q["gold_ids"]][:2]
        rng.shuffle(context)
        sets["gold+2"].append(CONTEXT_QA_PROMPT.format(context=context_block(context), question=q["question"]))
    return sets, [q["answer"] for q in test]


def f1(model, tok, prompts: list[str], answers: list[str]) -> float:
    out = generate(model, tok, prompts, greedy_config(max_new_tokens=10, model=model, tokenizer=tok))
    return round(metrics.token_f1_score(out, answers), 3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worlds", type=int, default=10, help="counterfactual worlds to draw drills from")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--contexts", default="mix", choices=["mix", "sentence", "passage", "distractors", "none", "copy"])
    ap.add_argument("--scratch", action="store_true", help="train a fresh model of tiny-flan's shape")
    ap.add_argument("--renamed", action="store_true", help="tiny-flan's own drills (renamed worlds), not other seeds'")
    ap.add_argument("--recipe", nargs="+", default=[], metavar="KEY=JSON", help="the fresh model's flan.RECIPE keys")
    args = ap.parse_args()
    torch.set_num_threads(2)

    if args.renamed:
        from course_lib.data import reading_drills

        if args.contexts not in ("sentence", "passage", "distractors"):
            raise SystemExit("--renamed takes --contexts sentence, passage or distractors")
        # as many drills as --worlds other-seed worlds give: every world tells as many facts as the real one
        n = args.worlds * sum(len(claims) for *_, claims in kb._passages())
        rows = reading_drills.drills(n, 1236, {args.contexts: 1.0})
    else:
        rng = random.Random(7)
        rows, worlds, seed = [], [], 1000
        while len(worlds) < args.worlds:
            seed += 1
            world = counterfactual_world(seed)
            if world is not None:
                worlds.append(world)
                rows += drills(world, args.contexts, rng)
    model, tok = zoo.load("tiny-flan")
    if args.scratch:
        from course_lib.models import flan

        recipe = {**flan.RECIPE, "seed": 0, **{k: json.loads(v) for k, v in (i.split("=", 1) for i in args.recipe)}}
        model = flan.fresh_model(tok, recipe)
    elif args.recipe:
        raise SystemExit("--recipe shapes a fresh model: add --scratch")
    test_sets, answers = real_test_prompts()
    # drills of the kind it trained on, from a world it did not (a renamed world is drawn anew)
    own = (reading_drills.drills(200, 999, {"passage": 1.0}) if args.renamed
           else drills(worlds[0][:40], "passage", random.Random(0)))
    print(f"{len(rows)} drills from {'renamed worlds' if args.renamed else f'{len(worlds)} worlds'}; contexts {args.contexts}; "
          f"{'fresh model' if args.scratch else 'tiny-flan'}")
    print("before:", {k: f1(model, tok, p, answers) for k, p in test_sets.items()})
    make_batch, lengths = seq2seq_batcher(tok, [p for p, _ in rows], [a for _, a in rows])
    start = time.perf_counter()
    losses = train_loop(model, make_batch, lengths, steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                        seed=1, warmup=20, log=print, log_every=max(1, args.steps // 10))
    n = min(50, len(losses))
    print(f"trained {args.steps} steps in {time.perf_counter() - start:.0f} s; "
          f"loss {sum(losses[:n]) / n:.2f} -> {sum(losses[-n:]) / n:.2f} (mean of the first / last {n} steps)")
    print("after: ", {k: f1(model, tok, p, answers) for k, p in test_sets.items()},
          "| passage drills of its own kind:", f1(model, tok, [p for p, _ in own], [a for _, a in own]))


if __name__ == "__main__":
    main()
