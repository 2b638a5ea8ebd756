"""05-rag (Retrieval-augmented generation): the reference solution.

Generated from assignments/05-rag/05-rag.ipynb: do not edit here. Edit the master notebook, then run
`course solutions`; tests/test_solutions.py fails when the two differ.

`python solutions/lab_05_rag.py` runs the lab's solution top to bottom, as `course release` does to
record the reference; `import solutions.lab_05_rag` runs it once and gives every function and
object the lab defines. Lines marked `# SOLUTION`, and blocks between `# BEGIN SOLUTION` and
`# END SOLUTION`, are what students write.
"""

# %% [markdown]
# # 05 – Retrieval-augmented generation (RAG)
#
# A language model only knows what was in its training data. Ask tiny-flan about the **Oressa Isles**, a
# fictional archipelago that no model has ever read about, and it can only guess. A **RAG** system
# fixes that at question time: it *retrieves* passages about the question from a knowledge base and
# puts them into the prompt, so the model can read the answer instead of remembering it.
#
# You build every stage by hand and measure **retrieval separately from generation**:
#
# 1. chunk the 352 passages of the knowledge base into overlapping token windows (q1);
# 2. embed the chunks with `tiny-encoder`, index them with faiss (exact and approximate) and save the
#    index (q2);
# 3. compute recall@k and MRR by hand (q3);
# 4. build grounded prompts with citations, make tiny-flan answer with a span of the retrieved text, and
#    compare its answers closed-book and with RAG (q4);
# 5. look at the questions retrieval misses and fix some of them with a BM25 + dense hybrid (q5, q6).
#
# **How it is graded (24 points + 3 staff-graded).** Each question says what its tests check. Run the
# `grader.check("qN")` cell after a question: it runs the *public* tests. When you submit, *hidden* tests
# compare your functions with the reference solution on fixed inputs, and rebuild your saved index in the
# grading process to measure its recall on held-out questions. Every question is graded on its own
# functions as far as possible, so a mistake in one question costs little elsewhere.
#
# Rules: replace each `...` with your code; do not edit the setup cell; keep the file names given in q2.
# Everything runs on a CPU in well under a minute.

# %%
import json
import math
import re
import collections
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import faiss

from course_lib import data, metrics
from course_lib.models import zoo
from course_lib.data.instructions import CONTEXT_QA_PROMPT
from course_lib.generation import generate, greedy_config, target_logprobs

torch.manual_seed(0)
faiss.omp_set_num_threads(1)          # one thread: results do not depend on the machine

encoder, enc_tok = zoo.load("tiny-encoder")    # a small BERT trained for mean-pooled sentence embeddings
encoder.eval()
flan, flan_tok = zoo.load("tiny-flan")         # a T5 (1.5 M parameters) that follows instructions
flan.eval()

passages = list(data.load("kb_passages")["corpus"])        # {"id", "title", "text"}
kb_questions = data.load("kb_questions")
test_questions = list(kb_questions["test"])                # {"id", "question", "answer", "gold_ids"}
SLICE = test_questions[:60]                                # the fixed slice for generation (q4)

CHUNK_SIZE, CHUNK_OVERLAP = 32, 8     # tokens per chunk, tokens shared by neighbouring chunks
RAG_K = 1                              # chunks in a RAG prompt: tiny-flan reads one best
MAX_SPAN_WORDS = 4                     # longest candidate answer span (q4)
CALIBRATION = 0.5                      # how much of a span's context-only score q4 discounts
CLOSED_BOOK_PROMPT = "Answer the question.\n\nQuestion: {question}\nAnswer:"


def answer(prompts, max_new_tokens=10):
    """tiny-flan's greedy answers to a list of prompts."""
    config = greedy_config(max_new_tokens=max_new_tokens, model=flan, tokenizer=flan_tok)
    return generate(flan, flan_tok, prompts, config, batch_size=32)


def without_question(prompt):
    """A RAG prompt with its question left blank: what the model would answer from the context alone."""
    return prompt.rsplit("Question:", 1)[0] + "Question: \nAnswer:"


print(f"{len(passages)} passages, {len(test_questions)} test questions; for example:")
print(passages[0]["id"], passages[0]["text"])
print(SLICE[0])

# %% [markdown]
# ## Question 1 – Chunking (4 points)
#
# Retrieval works on **chunks**: pieces of a document short enough to embed well and to fit, a few at a
# time, in the generator's context window. Chunk by *tokens* (what the models count), with an
# **overlap**, so a fact cut by a chunk boundary still appears whole in one chunk; and keep the id of the
# passage each chunk comes from, so answers can cite their source and retrieval can be scored against
# gold passage ids.
#
# Write
#
# * `chunk_token_ids(ids, size, overlap)`: split the list `ids` into windows of at most `size` tokens;
#   window `i` starts at `i * (size - overlap)` (`0 <= overlap < size`), so neighbours share exactly
#   `overlap` tokens. Stop at the first window that reaches the end of `ids`: a document of at most
#   `size` tokens is one chunk, and no chunk lies entirely inside the previous one. An empty list gives
#   no chunks (`[]`).
# * `chunk_passages(passages, size, overlap)`: for each passage in order, tokenise its `"text"` with
#   `enc_tok(text, add_special_tokens=False)["input_ids"]`, chunk the ids, and turn each window back into
#   text with `enc_tok.decode(window)`. Return a list of `{"passage_id": ..., "text": ...}` dicts, in
#   order.
#
# **Graded:** public tests on small lists (1 point); hidden tests compare `chunk_token_ids` with the
# reference for many lengths, sizes and overlaps, exact equality, short documents and exact boundaries
# included (2 points), and `chunk_passages` on fixed passages, exact equality (1 point).

# %%
def chunk_token_ids(ids, size, overlap):
    """Windows of at most `size` ids, starting every `size - overlap` ids, up to the end of `ids`."""
    # BEGIN SOLUTION
    ids = list(ids)
    stride = size - overlap
    chunks, start = [], 0
    while start < len(ids):
        chunks.append(ids[start:start + size])
        if start + size >= len(ids):
            break
        start += stride
    return chunks
    # END SOLUTION


def chunk_passages(passages, size, overlap):
    """[{"passage_id", "text"}] for every token window of every passage, in order."""
    # BEGIN SOLUTION
    out = []
    for p in passages:
        ids = enc_tok(p["text"], add_special_tokens=False)["input_ids"]
        for window in chunk_token_ids(ids, size, overlap):
            out.append({"passage_id": p["id"], "text": enc_tok.decode(window)})
    return out
    # END SOLUTION

# %%
chunks = chunk_passages(passages, CHUNK_SIZE, CHUNK_OVERLAP)
print(f"{len(passages)} passages -> {len(chunks)} chunks of at most {CHUNK_SIZE} tokens")
for c in chunks[:3]:
    print(c)

# %% [markdown]
# ## Question 2 – Embeddings, an exact index and an approximate one (6 points)
#
# `tiny-encoder` was trained so that a question and the passage that answers it get similar
# **mean-pooled, L2-normalised** embeddings: average the last hidden states over the real tokens only
# (the attention mask is 0 on padding, which must not count), then divide by the vector's length. On unit
# vectors the inner product *is* the cosine similarity, so a faiss `IndexFlatIP` (exact inner-product
# search) ranks chunks by cosine.
#
# Write
#
# * `embed_texts(texts, batch_size=32)`: tokenise each batch with
#   `enc_tok` with `padding=True, truncation=True, max_length=128` and PyTorch tensors, run `encoder`
#   under `torch.no_grad()`, mean-pool `last_hidden_state` with the attention mask, L2-normalise; return
#   one `np.float32` array of shape `(len(texts), 128)`;
# * `build_flat_index(emb)`: a `faiss.IndexFlatIP` holding the rows of `emb`;
# * `top_k_ids(scores, k)`: for a 2-D array of scores (queries × items), the column indices of the `k`
#   highest scores of each row, **best first**, as an int array of shape `(rows, k)`; with it,
#   `exact_search` below checks faiss by brute force;
# * `retrieve_chunks(questions, k)`: embed the questions, search `flat_index`, and return for each
#   question the list of its `k` best chunk indices (Python ints), best first;
# * `retrieve_passages(questions, k)`: the `k` best **distinct passage ids** per question, best first:
#   search `4 * k` chunks and keep each passage id the first time it appears;
# * `build_ivf_index(emb, nlist, nprobe)`: an approximate `faiss.IndexIVFFlat` with the inner-product
#   metric (`faiss.METRIC_INNER_PRODUCT`) over `nlist` clusters, trained and filled with `emb`, searching
#   `nprobe` clusters per query;
# * `ann_recall(approx_ids, exact_ids, k)`: how much of the exact top-k the approximate search finds:
#   the mean over queries of |approx top-k ∩ exact top-k| / k (faiss returns `-1` for missing results:
#   they never count).
#
# Then save your index for the graders: the chunk embeddings as `rag_index/chunk_embeddings.npy`
# (`np.save`) and the chunks, in the same order, as `rag_index/chunks.json`.
#
# **Graded:** public tests check shapes, norms and the faiss index (1 point); hidden tests compare
# `embed_texts` with the reference on texts of different lengths in one batch, `atol=1e-4` (1 point) and
# `top_k_ids` on seeded random scores, exact (1 point); `ann_recall` on fixed id arrays, and your IVF
# table: with every cluster probed it must equal exact search (1 point); the grader **rebuilds an
# `IndexFlatIP` from your saved files** in its own process and measures recall@5 on held-out validation
# questions embedded by the reference: rows must be unit vectors, and recall@5 at least 0.6 and within
# 0.03 of the reference's (1 point); `retrieve_passages` must reach the reference's recall@5 on those
# questions within 0.03 (1 point).

# %%
def embed_texts(texts, batch_size=32):
    """Mean-pooled (attention mask), L2-normalised tiny-encoder embeddings, float32 (n, 128)."""
    # BEGIN SOLUTION
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start:start + batch_size])
            enc = enc_tok(batch, padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = encoder(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out.append(F.normalize(pooled, dim=-1))
    if not out:
        return np.zeros((0, encoder.config.hidden_size), dtype=np.float32)
    return torch.cat(out).numpy().astype(np.float32)
    # END SOLUTION


def build_flat_index(emb):
    """An exact inner-product faiss index over the rows of emb."""
    index = faiss.IndexFlatIP(emb.shape[1])  # SOLUTION
    index.add(np.ascontiguousarray(emb, dtype=np.float32))  # SOLUTION
    return index  # SOLUTION


def top_k_ids(scores, k):
    """Column indices of the k highest scores of each row, best first."""
    scores = np.asarray(scores)  # SOLUTION
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]  # SOLUTION

# %%
chunk_emb = embed_texts([c["text"] for c in chunks])
flat_index = build_flat_index(chunk_emb)


def exact_search(emb, queries, k):
    """Brute force: what IndexFlatIP computes."""
    return top_k_ids(queries @ emb.T, k)


q_emb = embed_texts([q["question"] for q in test_questions[:50]])
_, faiss_ids = flat_index.search(q_emb, 5)
print(f"chunk embeddings {chunk_emb.shape}, norms {np.linalg.norm(chunk_emb, axis=1).min():.4f}..{np.linalg.norm(chunk_emb, axis=1).max():.4f}")
print("faiss IndexFlatIP == brute force top-5:", bool((faiss_ids == exact_search(chunk_emb, q_emb, 5)).all()))

# %%
def retrieve_chunks(questions, k):
    """The k best chunk indices per question, best first."""
    _, ids = flat_index.search(embed_texts(questions), k)  # SOLUTION
    return [[int(i) for i in row if i >= 0] for row in ids]  # SOLUTION


def retrieve_passages(questions, k):
    """The k best distinct passage ids per question, best first."""
    # BEGIN SOLUTION
    ranked = []
    for row in retrieve_chunks(questions, 4 * k):
        seen = []
        for i in row:
            pid = chunks[i]["passage_id"]
            if pid not in seen:
                seen.append(pid)
        ranked.append(seen[:k])
    return ranked
    # END SOLUTION


def build_ivf_index(emb, nlist, nprobe):
    """An approximate inner-product IVF index: nlist clusters, nprobe probed per query."""
    # BEGIN SOLUTION
    emb = np.ascontiguousarray(emb, dtype=np.float32)
    quantizer = faiss.IndexFlatIP(emb.shape[1])
    index = faiss.IndexIVFFlat(quantizer, emb.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    index.train(emb)
    index.add(emb)
    index.nprobe = nprobe
    return index
    # END SOLUTION


def ann_recall(approx_ids, exact_ids, k):
    """Mean over queries of |approx top-k ∩ exact top-k| / k; -1 never counts."""
    # BEGIN SOLUTION
    total = 0.0
    for a, e in zip(approx_ids, exact_ids):
        found = {int(i) for i in list(a)[:k] if i >= 0} & {int(i) for i in list(e)[:k] if i >= 0}
        total += len(found) / k
    return total / len(exact_ids)
    # END SOLUTION


Path("rag_index").mkdir(exist_ok=True)
np.save("rag_index/chunk_embeddings.npy", chunk_emb)  # SOLUTION
Path("rag_index/chunks.json").write_text(json.dumps(chunks))  # SOLUTION

# %% [markdown]
# An IVF index clusters the vectors and, per query, scans only the `nprobe` clusters whose centres are
# closest: less work, at the price of sometimes missing a true neighbour. With all clusters probed it is
# exact search again. (At 700 vectors everything is instant; the trade-off matters at millions.)

# %%
NLIST = 16
all_q = embed_texts([q["question"] for q in test_questions])
_, exact_top10 = flat_index.search(all_q, 10)
ivf_recall = {}
for nprobe in (1, 2, 4, 8, NLIST):
    ivf = build_ivf_index(chunk_emb, NLIST, nprobe)
    start = time.perf_counter()
    _, approx = ivf.search(all_q, 10)
    ivf_recall[nprobe] = ann_recall(approx, exact_top10, 10)
    print(f"nprobe {nprobe:2d}: recall@10 vs exact {ivf_recall[nprobe]:.3f}  ({(time.perf_counter() - start) * 1e3:.1f} ms)")

# %% [markdown]
# ## Question 3 – Retrieval metrics by hand (4 points)
#
# Retrieval is scored against the **gold passage ids** of each question, before any text is generated:
#
# * **recall@k**: the fraction of questions with at least one gold id among their top `k` retrieved ids;
# * **MRR** (mean reciprocal rank): each question scores `1 / rank` of its *first* gold id, ranks
#   starting at **1**, or 0 if no gold id is retrieved (in the top `k` when `k` is given); then average.
#
# Write `recall_at_k(retrieved, gold, k)` and `mrr(retrieved, gold, k=None)`: `retrieved[q]` is the ranked
# list of ids for question `q` (best first), `gold[q]` the list of ids that count as correct (a question
# with no gold ids is a miss). Return Python floats. They must agree with `course_lib.metrics`, which you
# may use afterwards but not inside them.
#
# **Graded:** public tests on the docstring examples (1 point); hidden tests compare both with
# `course_lib.metrics` on seeded random rankings, `atol=1e-9`, including gold ids outside the list, empty
# gold lists and `k` longer than the list (2 points for MRR, 1 for recall@k).

# %%
def recall_at_k(retrieved, gold, k):
    """Fraction of questions with a gold id in their top k."""
    hits = sum(1 for r, g in zip(retrieved, gold) if set(list(r)[:k]) & set(g))  # SOLUTION
    return hits / len(retrieved)  # SOLUTION


def mrr(retrieved, gold, k=None):
    """Mean of 1 / (1-based rank of the first gold id), 0 when none is found."""
    # BEGIN SOLUTION
    total = 0.0
    for r, g in zip(retrieved, gold):
        ranked = list(r) if k is None else list(r)[:k]
        for rank, doc in enumerate(ranked, start=1):
            if doc in set(g):
                total += 1.0 / rank
                break
    return total / len(retrieved)
    # END SOLUTION

# %%
dense_ranked = retrieve_passages([q["question"] for q in test_questions], 10)
test_gold = [q["gold_ids"] for q in test_questions]
for k in (1, 5, 10):
    print(f"dense recall@{k}: {recall_at_k(dense_ranked, test_gold, k):.3f}")
print(f"dense MRR: {mrr(dense_ranked, test_gold):.3f}")

# %% [markdown]
# ## Question 4 – Grounded generation (6 points)
#
# tiny-flan learned one prompt format for reading answers out of passages
# (`CONTEXT_QA_PROMPT`, from `course_lib.data.instructions`):
#
# ```
# Answer the question using the context.
#
# Context:
# [p0150] Salrin is a fishing town on the island of Karesh. ...
# [p0041] Mornak lies in the south-east of the Oressa Isles. ...
#
# Question: Which island is Salrin on?
# Answer:
# ```
#
# Each context line starts with the **citation** `[passage id]` of the chunk, so an answer can be traced
# back to its source.
#
# Write
#
# * `closed_book_prompt(question)`: `CLOSED_BOOK_PROMPT` (setup cell) filled with the question: no context;
# * `build_rag_prompt(question, context_chunks)`: `CONTEXT_QA_PROMPT` with `context` = one line
#   `"[<passage_id>] <text>"` per chunk, in the given order, joined with `"\n"`;
# * `rag_prompts(rows, k)`: for question rows (dicts with at least `"question"`), the RAG prompts built from
#   the `k` chunks `retrieve_chunks` finds for each question (retrieve all questions in one call), in that
#   order. **Only the question may be used**: a row's `gold_ids` and `answer` are for scoring; putting
#   gold passages in the prompt would measure nothing.
#
# A prompt helps, but not enough for a model this small: asked to *generate* freely from a RAG prompt,
# tiny-flan (1.5 M parameters) answers better than closed-book, yet it still often writes a plausible
# answer of the right kind that is not in its context (try it below). **Constrained decoding** fixes that and
# grounds every answer by construction: instead of letting the model write anything, score each
# **candidate span** of the retrieved text by how likely the model finds it as the answer, and answer with
# the best one. `target_logprobs(flan, flan_tok, prompt, targets)` (from `course_lib.generation`) encodes
# the prompt once and returns, per target, the sum of its tokens' log-probabilities and its number of
# tokens.
#
# * `context_spans(texts, max_words=MAX_SPAN_WORDS)`: the candidate answers: split each text on
#   whitespace, strip the characters `.,;:!?"()` from both ends of every word and drop words that become
#   empty; then every run of 1 to `max_words` consecutive words of a text, joined with one space. Order:
#   text by text, by start word, shorter runs first; keep only the first copy of a repeated span.
# * `grounded_answer(prompt, texts)`: among the texts' candidate spans (`context_spans`, default
#   `max_words`), the one with the highest **calibrated score**: its **mean** log-probability per token
#   (sum / number of tokens) as tiny-flan's reply to `prompt`, minus `CALIBRATION` (0.5, setup cell)
#   times its mean log-probability as the reply to `without_question(prompt)` (setup cell: the same
#   context, the question left blank); the first one on a tie. (The sum would favour the shortest spans:
#   every token costs log-probability. The second term discounts what the model would answer from the
#   context whatever the question, a name that opens the passage say, which otherwise often outscores
#   the span the question asks for. Discounting all of it, the pointwise mutual information between
#   span and question, favours odd rare spans instead: half was the best weight we measured.)
#
# Prompts carry `RAG_K = 1` chunk: with more, this small reader has more wrong spans of the right kind to
# choose from, and grounded answers get worse (try `RAG_K = 3` once you are done; q6 asks about it).
#
# Then compare tiny-flan's answers on `SLICE` (exact match and token F1 from `course_lib.metrics`)
# closed-book, generated freely from the RAG prompt, and grounded in the retrieved chunks, and, for
# diagnosis only, grounded in the gold passages (the reader's ceiling when retrieval is perfect).
#
# **Graded:** a public test on the prompt format and the spans (1 point); hidden tests compare
# `closed_book_prompt` and `build_rag_prompt` with the reference, exact strings (1 point); check that
# `rag_prompts` uses only the question (the same prompts with decoy gold ids or none) and your own
# retrieval (1 point); compare `context_spans` with the reference, exact lists (1 point), and
# `grounded_answer` on fixed prompts, exact answers (1 point); and compute, in the grader, the token F1 of
# your `grounded_answer` on 30 held-out validation questions, each given the one chunk the *reference's*
# retrieval ranks first (so a chunking or embedding mistake costs its points in q1 or q2 only, not here too): at
# least the reference's closed-book F1 on those questions plus 0.2, and within 0.05 of the reference's
# grounded F1 (1 point).

# %%
def closed_book_prompt(question):
    """The question alone: the model must answer from memory."""
    return CLOSED_BOOK_PROMPT.format(question=question)  # SOLUTION


def build_rag_prompt(question, context_chunks):
    """CONTEXT_QA_PROMPT with one cited line per chunk."""
    context = "\n".join(f"[{c['passage_id']}] {c['text']}" for c in context_chunks)  # SOLUTION
    return CONTEXT_QA_PROMPT.format(context=context, question=question)  # SOLUTION


def rag_prompts(rows, k):
    """RAG prompts from the k retrieved chunks of each row's question (never its gold ids)."""
    retrieved = retrieve_chunks([r["question"] for r in rows], k)  # SOLUTION
    return [build_rag_prompt(r["question"], [chunks[i] for i in ids]) for r, ids in zip(rows, retrieved)]  # SOLUTION


def context_spans(texts, max_words=MAX_SPAN_WORDS):
    """Every run of 1..max_words consecutive words of each text (edge punctuation stripped), no repeats."""
    spans = {}  # SOLUTION
    for text in texts:  # SOLUTION
        words = [w.strip('.,;:!?"()') for w in text.split()]  # SOLUTION
        words = [w for w in words if w]  # SOLUTION
        for start in range(len(words)):  # SOLUTION
            for n in range(1, max_words + 1):  # SOLUTION
                if start + n <= len(words):  # SOLUTION
                    spans.setdefault(" ".join(words[start:start + n]), None)  # SOLUTION
    return list(spans)  # SOLUTION


def grounded_answer(prompt, texts):
    """The span of the texts tiny-flan finds most likely as its answer (mean log-probability per token),
    less CALIBRATION times how likely it finds it from the context alone."""
    spans = context_spans(texts)  # SOLUTION
    sums, lengths = target_logprobs(flan, flan_tok, prompt, spans)  # SOLUTION
    prior_sums, prior_lengths = target_logprobs(flan, flan_tok, without_question(prompt), spans)  # SOLUTION
    return spans[int(torch.argmax(sums / lengths - CALIBRATION * prior_sums / prior_lengths))]  # SOLUTION

# %%
slice_answers = [q["answer"] for q in SLICE]
slice_questions = [q["question"] for q in SLICE]
closed_answers = answer([closed_book_prompt(q) for q in slice_questions])
prompts = rag_prompts(SLICE, RAG_K)
free_answers = answer(prompts)              # generated freely from the RAG prompt, for comparison
rag_answers = [grounded_answer(p, [chunks[i]["text"] for i in ids])
               for p, ids in zip(prompts, retrieve_chunks(slice_questions, RAG_K))]
by_id = {p["id"]: p for p in passages}
oracle_answers = []                        # diagnosis only: grounded in the gold passages
for q in SLICE:
    gold_chunks = [{"passage_id": g, "text": by_id[g]["text"]} for g in q["gold_ids"]]
    oracle_answers.append(grounded_answer(build_rag_prompt(q["question"], gold_chunks), [c["text"] for c in gold_chunks]))
for name, preds in (("closed-book", closed_answers), ("RAG, free", free_answers), ("RAG, grounded", rag_answers),
                    ("gold, grounded", oracle_answers)):
    print(f"{name:15s} EM {metrics.exact_match_score(preds, slice_answers):.3f}  "
          f"F1 {metrics.token_f1_score(preds, slice_answers):.3f}")
for q, c, f, r in list(zip(SLICE, closed_answers, free_answers, rag_answers))[:6]:
    print(f"{q['question']}\n   gold: {q['answer']!r}  closed-book: {c!r}  RAG free: {f!r}  grounded: {r!r}")

# %% [markdown]
# ## Question 5 – Failure analysis: a hybrid retriever (4 points)
#
# Dense retrieval ranks by meaning, and sometimes puts a passage about a *similar* entity first (another
# town founded by a healer, another festival in June). Names are exactly what a **lexical** retriever is
# good at: **BM25** scores a document by the query words it contains, weighting rare words (a town's name)
# far above common ones ("the", "founded"):
#
# score(q, d) = Σ over query words w of idf(w) · tf(w, d) · (k1 + 1) / (tf(w, d) + k1 · (1 − b + b · |d| / avgdl))
#
# with tf the count of w in d, |d| the length of d in words, avgdl the mean length over the corpus, and
# idf(w) = ln(1 + (N − df(w) + 0.5) / (df(w) + 0.5)) (N documents, df(w) of them contain w). Each
# occurrence of a word in the query counts once more.
#
# Write
#
# * `bm25_tokenize(text)`: lowercase words, `re.findall(r"[a-z0-9]+", text.lower())`;
# * `bm25_scores(query_tokens, docs_tokens, k1=1.5, b=0.75)`: the BM25 score of every document (a list of
#   token lists) for the query, as a list of floats;
# * `rrf_fuse(rankings, k=60)`: **reciprocal rank fusion** of several ranked id lists: each id scores
#   Σ 1 / (k + rank) over the lists it appears in (ranks from 1); return all ids by decreasing score
#   (ties: the id seen first, list by list, comes first);
# * `hybrid_retrieve(questions, k)`: per question, fuse the dense ranking (`retrieve_passages(..., 20)`)
#   with the BM25 ranking of the 20 best passages (`passage_tokens` below: each passage's title and text,
#   tokenised; rank with `top_k_ids`), and return the top `k` fused passage ids.
#
# Run it on all test questions and compare recall@1 with dense retrieval alone.
#
# **Graded:** a public test on a toy corpus (1 point); hidden tests compare `bm25_scores` with the
# reference on a fixed corpus (`atol=1e-6`) (1 point) and `rrf_fuse` on fixed rankings, exact (1 point);
# the grader runs your `hybrid_retrieve` and `retrieve_passages` (k = 10) on the 143 held-out
# validation questions: the hybrid's recall@1 must beat your dense recall@1 by at least 0.03 (the
# reference gains 0.056 there, and 0.077 on the test questions) (1 point).

# %%
def bm25_tokenize(text):
    return re.findall(r"[a-z0-9]+", text.lower())  # SOLUTION


def bm25_scores(query_tokens, docs_tokens, k1=1.5, b=0.75):
    """BM25 score of each document (a token list) for the query tokens."""
    # BEGIN SOLUTION
    n_docs = len(docs_tokens)
    avgdl = sum(len(d) for d in docs_tokens) / n_docs
    df = collections.Counter(w for d in docs_tokens for w in set(d))
    tfs = [collections.Counter(d) for d in docs_tokens]
    scores = []
    for d, tf in zip(docs_tokens, tfs):
        s = 0.0
        for w in query_tokens:
            if tf[w]:
                idf = math.log(1 + (n_docs - df[w] + 0.5) / (df[w] + 0.5))
                s += idf * tf[w] * (k1 + 1) / (tf[w] + k1 * (1 - b + b * len(d) / avgdl))
        scores.append(s)
    return scores
    # END SOLUTION


def rrf_fuse(rankings, k=60):
    """Reciprocal rank fusion: all ids by decreasing sum of 1 / (k + rank)."""
    # BEGIN SOLUTION
    score, order = {}, []
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            if doc not in score:
                score[doc] = 0.0
                order.append(doc)
            score[doc] += 1.0 / (k + rank)
    return sorted(order, key=lambda d: -score[d])
    # END SOLUTION


passage_tokens = [bm25_tokenize(p["title"] + " " + p["text"]) for p in passages]


def hybrid_retrieve(questions, k):
    """Top k passage ids per question from the fusion of dense and BM25 rankings."""
    # BEGIN SOLUTION
    dense = retrieve_passages(questions, 20)
    fused = []
    for question, dense_ids in zip(questions, dense):
        scores = np.array([bm25_scores(bm25_tokenize(question), passage_tokens)])
        sparse = [passages[int(i)]["id"] for i in top_k_ids(scores, 20)[0]]
        fused.append(rrf_fuse([dense_ids, sparse])[:k])
    return fused
    # END SOLUTION

# %%
hybrid_ranked = hybrid_retrieve([q["question"] for q in test_questions], 10)
for name, ranked in (("dense", dense_ranked), ("hybrid", hybrid_ranked)):
    print(f"{name:7s} recall@1 {recall_at_k(ranked, test_gold, 1):.3f}  recall@5 {recall_at_k(ranked, test_gold, 5):.3f}  "
          f"MRR {mrr(ranked, test_gold):.3f}")
misses = [(q, d[0], h[0]) for q, d, h in zip(test_questions, dense_ranked, hybrid_ranked) if d[0] not in q["gold_ids"]]
print(f"\n{len(misses)} questions where dense retrieval's first passage is wrong; the first few:")
for q, d, h in misses[:6]:
    print(f"  {q['question']}  gold {q['gold_ids']}  dense {d}: {by_id[d]['title']!r}  hybrid {h}"
          f"{' (fixed)' if h in q['gold_ids'] else ''}")

# %% [markdown]
# ## Question 6 – What failed, and where? (3 points, graded by staff)
#
# Use your numbers from q3–q5 and the misses printed above. In five to eight sentences: (a) what kind of
# question does dense retrieval miss, and why does BM25 help on exactly those (look at the titles it
# retrieves instead)? (b) Compare RAG with closed-book *and* with gold-passage context: how much of the
# remaining error is retrieval's fault and how much the generator's, and how do you know? (c) One further
# change you would make to this pipeline (chunk size, k, a reranker, a bigger reader) and how you would
# measure that it helps.

# %% [markdown]
# _A model answer._ Dense retrieval mostly misses questions whose wrong first passage is about a
# similar entity (the same kind of fact about another town or person): the embedding captures "a town
# founded by someone" better than the exact name. BM25 matches the rare name tokens themselves, so
# fusing the two rankings puts the passage that actually names the entity first more often, which is
# what the higher recall@1 shows. Retrieval is not the main bottleneck: recall@5 is close to 1, and
# grounded answers from the retrieved chunk (F1 0.42 on SLICE) come within 0.08 of grounded answers
# from the gold passages (0.50), the reader's ceiling; that gap is retrieval's share of the error (the
# right chunk not ranked first, often a similar entity's), and the 0.50 left below perfect with gold
# context is the reader's: tiny-flan (1.5 M parameters) often prefers a wrong span of the right kind
# (another year, another town). Free generation shows the reader's weakness more plainly: from the
# same RAG prompt it answers better than closed-book (F1 0.28 against 0.13) but often writes a
# plausible answer that is not in its context, which is why the answers are constrained to spans of
# the context. The next change is a stronger reader (a larger instruction-tuned model, or more reading
# training), measured by grounded F1 with gold context (its ceiling) and with retrieved context on the
# same fixed slice; more chunks only pay with a better reader: at k = 3 grounded F1 is no better
# (0.41; recall rises, but so do the wrong spans of the right kind to choose from).

# %% [markdown]
# You are done. Check the whole notebook from a terminal with `course check 05-rag.ipynb`, then submit
# with `course submit 05-rag.ipynb --student YOUR_ID`.
