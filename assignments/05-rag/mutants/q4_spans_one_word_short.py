"""context_spans stops one word short: runs of 1..max_words - 1 words, so longer answers are never candidates.

loses: q4
"""


def context_spans(texts, max_words=MAX_SPAN_WORDS):
    spans = {}
    for text in texts:
        words = [w for w in (w.strip('.,;:!?"()') for w in text.split()) if w]
        for start in range(len(words)):
            for n in range(1, max_words):
                if start + n <= len(words):
                    spans.setdefault(" ".join(words[start:start + n]), None)
    return list(spans)
