"""rag_prompts puts the gold passages' chunks at the top of the context: the gold ids leak into the prompt.

loses: q4
"""


def rag_prompts(rows, k):
    retrieved = retrieve_chunks([r["question"] for r in rows], k)
    prompts = []
    for r, ids in zip(rows, retrieved):
        gold = [i for i, c in enumerate(chunks) if c["passage_id"] in r.get("gold_ids", [])]
        picked = (gold + [i for i in ids if i not in gold])[:k]
        prompts.append(build_rag_prompt(r["question"], [chunks[i] for i in picked]))
    return prompts
