"""round_trip decodes with the special tokens: the text ends in </s> (and keeps <unk>).

loses: q1
"""


def round_trip(text):
    return tokenizer.decode(tokenizer(text)["input_ids"])
