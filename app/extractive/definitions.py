"""Definitional sentences: "X is a …", "X refers to …", "… is called X"."""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass

from app.extractive.phrases import JOINERS, MAX_TERM_WORDS, is_content, phrase_key
from app.extractive.text import words

COPULAS = ("is", "are", "was", "were")
_DEFINING = re.compile(
    r"^(?:(?P<article>the|a|an)\s+)?(?P<term>[^,;:()]{2,80}?)\s*(?:\([^)]{1,80}\)\s*)?,?\s+"
    r"(?P<verb>is|are|was|were|refers? to|means?|describes?|denotes?|represents?)\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_NAMING = re.compile(
    r"\b(?P<verb>is|are|was|were)\s+(?:called|known as|termed|named)\s+(?:the\s+|an?\s+)?"
    r"(?P<term>[^\s,.;:()][^,.;:()]{0,60}?)(?=\s*[,.;:()]|\s+(?:and|or|which|that|because|by|in|for)\b|$)",
    re.IGNORECASE,
)
# What follows "is" in a definition: "is a …", "is the …", "is defined as …" (not "is important").
_DEFINING_NEXT_WORDS = "a an the one any defined called known what how responsible made composed considered "
_DEFINING_NEXT = frozenset(_DEFINING_NEXT_WORDS.split())


@dataclass(frozen=True, slots=True)
class Definition:
    sentence: int
    verb: str  # "is", "are", "was", "were", "refers to", …
    surface: str  # the term as the defining sentence writes it
    article: str  # the article before it there, if any


def find_definitions(sentences: Sequence[str], known: Container[str]) -> dict[str, Definition]:
    """The first sentence that defines each candidate term."""
    found: dict[str, Definition] = {}
    for i, sentence in enumerate(sentences):
        if sentence.endswith("?"):
            continue
        for term, verb, article in _defined_terms(sentence):
            key = phrase_key(words(term))
            if key in known and key not in found:
                found[key] = Definition(i, verb, " ".join(words(term)), article)
    return found


def _defined_terms(sentence: str) -> list[tuple[str, str, str]]:
    """(term, verb, article) for each term the sentence defines or names."""
    out = []
    match = _DEFINING.match(sentence)
    if match is not None:
        verb = match.group("verb").lower()
        rest = words(match.group("rest"))
        if verb not in COPULAS or (rest and rest[0].lower() in _DEFINING_NEXT):
            out.append((match.group("term"), verb, (match.group("article") or "").lower()))
    for named in _NAMING.finditer(sentence):
        out.append((named.group("term"), named.group("verb").lower(), ""))
    return [(term, verb, article) for term, verb, article in out if _term_like(term)]


def _term_like(term: str) -> bool:
    tokens = words(term)
    if not 1 <= len(tokens) <= MAX_TERM_WORDS + 1:
        return False
    return all(is_content(t, 1) or t.lower() in JOINERS for t in tokens) and is_content(tokens[0], 1)
