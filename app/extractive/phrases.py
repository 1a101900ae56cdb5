"""Runs of content words: the raw material of key terms ("the [Calvin cycle] is the set of …")."""

from __future__ import annotations

from collections.abc import Sequence

from app.extractive.stopwords import FUNCTION_WORDS, STOPWORDS
from app.extractive.text import stem

MAX_TERM_WORDS = 3
JOINERS = ("of", "the")
_LY_NOUNS = frozenset(
    ("ally", "anomaly", "assembly", "family", "italy", "july", "monopoly", "poly", "rally", "reply", "supply")
)


def is_content(token: str, position: int) -> bool:
    """Whether a word can be part of a term; capitalised common words inside a sentence are names."""
    lower = token.lower()
    if len(token) > 40 or not any(ch.isalpha() for ch in token) or lower in FUNCTION_WORDS:
        return False
    named = position > 0 and token[0].isupper()
    if lower in STOPWORDS:
        return named
    if len(lower) < 3 and not token.isupper():
        return False
    return not (lower.endswith("ly") and len(lower) > 4 and lower not in _LY_NOUNS and not named)


def runs(tokens: Sequence[str]) -> list[list[int]]:
    """Maximal runs of content words; "of" (or "of the") joins two capitalised words into one name."""
    runs: list[list[int]] = []
    current: list[int] = []
    j = 0
    while j < len(tokens):
        if is_content(tokens[j], j):
            current.append(j)
            j += 1
            continue
        width = 2 if tokens[j].lower() == "of" and j + 1 < len(tokens) and tokens[j + 1] == "the" else 1
        nxt = j + width
        if (
            current
            and tokens[j].lower() == "of"
            and tokens[current[-1]][0].isupper()
            and nxt < len(tokens)
            and tokens[nxt][0].isupper()
            and is_content(tokens[nxt], nxt)
        ):
            current.extend(range(j, nxt))
            j = nxt
            continue
        if current:
            runs.append(current)
        current = []
        j += 1
    if current:
        runs.append(current)
    return runs


def spans(run: list[int], tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Sub-runs of one to three content words (four for names), not starting or ending with a joiner."""
    spans = []
    for a in range(len(run)):
        if tokens[run[a]].lower() in JOINERS:
            continue
        content, joined = 0, False
        for b in range(a, len(run)):
            if tokens[run[b]].lower() in JOINERS:
                joined = True
                continue
            content += 1
            if content > MAX_TERM_WORDS + 1:
                break
            if content <= MAX_TERM_WORDS or joined:
                spans.append((run[a], run[b] + 1))
    return spans


def phrase_key(tokens: Sequence[str]) -> str:
    return " ".join(stem(t) if t.lower() not in JOINERS else t.lower() for t in tokens)
