"""token_vectors keeps the <cls> and </s> vectors: every text gets two tokens that match each
other almost perfectly, which lifts every score towards 1.

loses: q2
"""


def token_vectors(text):
    enc = enc_tok(text, truncation=True, max_length=128, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**enc).last_hidden_state[0]
    return F.normalize(hidden, dim=-1).numpy().astype(np.float32)
