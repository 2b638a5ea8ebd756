"""embed_texts forgets the L2 normalisation, so IndexFlatIP ranks by raw inner product, not cosine.

loses: q2
"""
import numpy as np
import torch


def embed_texts(texts, batch_size=32):
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            enc = enc_tok(list(texts[start:start + batch_size]), padding=True, truncation=True,
                          max_length=128, return_tensors="pt")
            hidden = encoder(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            out.append((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9))
    return torch.cat(out).numpy().astype(np.float32)
