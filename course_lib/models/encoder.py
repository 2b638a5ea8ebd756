"""tiny-encoder: sentence embeddings for retrieval (the RAG lab's embedding model).

A small BERT trained contrastively (in-batch negatives, InfoNCE) on the knowledge base's
*training* questions and their gold passages, and on passage titles. The test questions ask
about facts never asked in training, so recall@k on them measures generalisation.
Embedding = mean of the token vectors under the attention mask, L2-normalised.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

RECIPE = {
    "version": 1, "seed": 777,
    "hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 256,
    "max_position_embeddings": 256, "steps": 220, "batch_size": 32, "lr": 2e-3, "temperature": 0.05,
}


def mean_pool(last_hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average token vectors where ``mask`` is 1; padding must not count."""
    m = mask.unsqueeze(-1).to(last_hidden.dtype)
    return (last_hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def embed(model, tokenizer, texts: list[str], batch_size: int = 64, max_length: int = 192) -> torch.Tensor:
    """L2-normalised mean-pooled embeddings, shape (len(texts), hidden)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            enc = tokenizer(texts[i:i + batch_size], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            out.append(F.normalize(mean_pool(hidden, enc["attention_mask"]), dim=-1))
    return torch.cat(out) if out else torch.zeros(0, model.config.hidden_size)


def training_pairs() -> list[tuple[str, str]]:
    from course_lib import data

    passages = {p["id"]: p for p in data.generate("kb_passages")["corpus"]}
    pairs = [(q["question"], passages[g]["text"]) for q in data.generate("kb_questions")["train"] for g in q["gold_ids"]]
    pairs += [(p["title"], p["text"]) for p in passages.values()]
    return pairs


def recall_at(model, tokenizer, k: int = 5, split: str = "test") -> float:
    from course_lib import data

    passages = data.generate("kb_passages")["corpus"]
    questions = data.generate("kb_questions")[split]
    P = embed(model, tokenizer, [p["text"] for p in passages])
    Q = embed(model, tokenizer, [q["question"] for q in questions])
    top = (Q @ P.T).topk(k, dim=1).indices.tolist()
    hits = sum(bool({passages[i]["id"] for i in row} & set(q["gold_ids"])) for row, q in zip(top, questions))
    return hits / len(questions)


def bert_config(tokenizer, recipe: dict, **extra):
    """A small BERT's config from a recipe (shared with the toxicity classifier)."""
    from transformers import BertConfig

    return BertConfig(vocab_size=len(tokenizer), hidden_size=recipe["hidden_size"],
                      num_hidden_layers=recipe["num_hidden_layers"], num_attention_heads=recipe["num_attention_heads"],
                      intermediate_size=recipe["intermediate_size"], max_position_embeddings=recipe["max_position_embeddings"],
                      pad_token_id=tokenizer.pad_token_id, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                      **extra)


def build(out: Path, tokenizer_dir: Path, log: Callable[[str], None] = print, recipe: dict = RECIPE) -> dict:
    from transformers import AutoTokenizer, BertModel

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    torch.manual_seed(recipe["seed"])
    model = BertModel(bert_config(tok, recipe), add_pooling_layer=False)
    pairs = training_pairs()
    rng = random.Random(recipe["seed"])
    opt = torch.optim.AdamW(model.parameters(), lr=recipe["lr"], weight_decay=0.01)
    model.train()
    for step in range(recipe["steps"]):
        batch = rng.sample(pairs, recipe["batch_size"])
        q = tok([a for a, _ in batch], padding=True, truncation=True, max_length=64, return_tensors="pt")
        p = tok([b for _, b in batch], padding=True, truncation=True, max_length=192, return_tensors="pt")
        eq = F.normalize(mean_pool(model(**q).last_hidden_state, q["attention_mask"]), dim=-1)
        ep = F.normalize(mean_pool(model(**p).last_hidden_state, p["attention_mask"]), dim=-1)
        logits = eq @ ep.T / recipe["temperature"]
        # in-batch negatives; two questions on one passage would be false negatives, so mask them
        same = torch.tensor([[b1 == b2 for _, b2 in batch] for _, b1 in batch])
        logits = logits.masked_fill(same & ~torch.eye(len(batch), dtype=torch.bool), -1e4)
        loss = F.cross_entropy(logits, torch.arange(len(batch)))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if (step + 1) % 50 == 0:
            log(f"step {step + 1}/{recipe['steps']} loss {loss.item():.3f}")
    model.eval()
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return {"recall@1_test": round(recall_at(model, tok, 1), 4), "recall@5_test": round(recall_at(model, tok, 5), 4)}
