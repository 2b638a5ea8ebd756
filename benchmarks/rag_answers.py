"""05-rag's answer figures: token F1 closed-book, RAG generated freely, RAG grounded, gold grounded.

    python benchmarks/rag_answers.py [--questions 60] [--k K] [--flan FOLDER] [--beams N] [--calibrate W]

Runs the lab's own reference code (the solution cells of ``assignments/05-rag`` up to q4:
chunking, tiny-encoder + faiss retrieval, prompts, ``grounded_answer``) on the first
``--questions`` knowledge-base test questions (the lab's SLICE is 60), with ``--k`` retrieved
chunks per prompt (default: the lab's ``RAG_K``). ``--flan`` swaps in another tiny-flan build (a ``save_pretrained``
folder), to compare recipes; the zoo is not
touched. ``--beams`` answers freely with beam search instead of the lab's greedy decoding (both
closed-book and RAG), to see what decoding alone buys. ``--calibrate W`` replaces the lab's
``CALIBRATION`` (0.5): each grounded span scores its mean log-probability per token minus ``W``
times the same with the question left blank (``without_question``); 0 is the rule before
calibration. Prints exact match and token F1 per answer
kind, and seconds. Runs in a temporary
folder (the lab saves its index under ``rag_index/``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from course_lib import numerics  # noqa: E402

numerics.pin()      # the kernels `course` grades with, before torch computes
LAB = REPO / "assignments" / "05-rag" / "05-rag.ipynb"
# set-up, q1 chunking, q2 embeddings and retrieval, q4 prompts and grounded answers
CELLS_UNTIL_Q4 = ("import json", "def chunk_token_ids", "chunks = chunk_passages", "def embed_texts",
                  "chunk_emb = embed_texts", "def retrieve_chunks", "def closed_book_prompt")


def lab_cells() -> list[str]:
    """The notebook's code cells that define q1-q4's reference, found by how they start."""
    cells = ["".join(c["source"]) for c in json.loads(LAB.read_text())["cells"] if c["cell_type"] == "code"]
    picked = []
    for marker in CELLS_UNTIL_Q4:
        found = [c for c in cells if c.startswith(marker)]
        if not found:
            raise SystemExit(f"{LAB}: no code cell starts with {marker!r}; update CELLS_UNTIL_Q4")
        picked.append(found[0])
    return picked


def answers(n_questions: int = 60, k: int | None = None, flan_dir: Path | None = None,
            beams: int = 1, calibrate: float | None = None) -> dict[str, list[str]]:
    """The lab's answers to the first ``n_questions`` test questions, by kind, and the gold ones
    (``k`` chunks per prompt, default the lab's ``RAG_K``)."""
    from course_lib.models import zoo

    if flan_dir:   # the lab loads "tiny-flan"; zoo.load also takes a folder
        load, folder = zoo.load, str(Path(flan_dir).resolve())
        zoo.load = lambda name, **kw: load(folder if name == "tiny-flan" else name, **kw)
    cells = lab_cells()
    os.chdir(tempfile.mkdtemp(prefix="rag-answers-"))
    lab: dict = {}
    for source in cells:
        exec(compile(source, str(LAB), "exec"), lab)
    if beams > 1:
        def beam_answer(prompts, max_new_tokens=10):
            config = lab["greedy_config"](max_new_tokens=max_new_tokens, model=lab["flan"], tokenizer=lab["flan_tok"],
                                          num_beams=beams)
            return lab["generate"](lab["flan"], lab["flan_tok"], prompts, config, batch_size=32)
        lab["answer"] = beam_answer
    if calibrate is not None:     # grounded_answer reads the global at each call
        lab["CALIBRATION"] = calibrate
    rows = lab["test_questions"][:n_questions]
    k = k or lab["RAG_K"]
    questions = [r["question"] for r in rows]
    prompts = lab["rag_prompts"](rows, k)
    by_id = {p["id"]: p for p in lab["passages"]}
    return {
        "gold": [r["answer"] for r in rows],
        "closed-book": lab["answer"]([lab["closed_book_prompt"](q) for q in questions]),
        "RAG, free": lab["answer"](prompts),
        "RAG, grounded": [lab["grounded_answer"](p, [lab["chunks"][i]["text"] for i in ids])
                          for p, ids in zip(prompts, lab["retrieve_chunks"](questions, k))],
        "gold, grounded": [lab["grounded_answer"](
            lab["build_rag_prompt"](r["question"], [{"passage_id": g, "text": by_id[g]["text"]} for g in r["gold_ids"]]),
            [by_id[g]["text"] for g in r["gold_ids"]]) for r in rows],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--k", type=int, default=None, help="retrieved chunks per RAG prompt (default: the lab's RAG_K)")
    ap.add_argument("--flan", type=Path, help="another tiny-flan folder to evaluate")
    ap.add_argument("--beams", type=int, default=1, help="beam search with this many beams (default: greedy)")
    ap.add_argument("--calibrate", type=float, default=None,
                    help="the lab's CALIBRATION for grounded answers (default: the lab's 0.5; 0: none)")
    args = ap.parse_args()

    import torch

    from course_lib import metrics
    from course_lib.models import zoo

    torch.set_num_threads(1)
    start = time.perf_counter()
    by_kind = answers(args.questions, args.k, args.flan, args.beams, args.calibrate)
    gold = by_kind.pop("gold")
    calibration = "the lab's" if args.calibrate is None else args.calibrate
    print(f"\n{len(gold)} test questions, k={args.k or 'RAG_K'}, beams={args.beams}, calibration {calibration}, "
          f"tiny-flan from {args.flan or zoo.path('tiny-flan')}")
    for name, preds in by_kind.items():
        print(f"  {name:15s} EM {metrics.exact_match_score(preds, gold):.3f}  F1 {metrics.token_f1_score(preds, gold):.3f}")
    print(f"  answering took {time.perf_counter() - start:.1f} s (one thread)")


if __name__ == "__main__":
    main()
