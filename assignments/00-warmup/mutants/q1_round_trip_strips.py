"""round_trip tidies the decoded text with .strip(): trailing spaces the tokenizer keeps are lost.

loses: q1
"""


def round_trip(text):
    return tokenizer.decode(tokenizer.encode(text)).strip()
