"""Definitional sentences, per language: "X is a …", "X refers to …", "… is called X"; "X ist ein …",
"Als X bezeichnet man …", "Unter X versteht man …"; "X est un …", "On appelle X …"; "X es un …", "Se llama X …".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass

from app.extractive.lexicon import is_content, listed, words

MAX_TERM_WORDS = 3
COPULAS = ("is", "are", "was", "were")
_TERM = r"(?P<term>[^,;:()«»„“\"]{2,80}?)"
_NAME = r"(?P<term>[^\s,.;:()«»„“\"][^,.;:()«»„“\"]{0,60}?)"
_NAME2 = _NAME.replace("term", "term2")  # the same, as a second alternative of one pattern
_GLOSS = r"\s*(?:\([^)]{1,80}\)\s*)?,?"


@dataclass(frozen=True, slots=True)
class Pattern:
    defining: re.Pattern[str]  # the sentence opens with the term: "X is a …"
    naming: re.Pattern[str]  # the sentence names the term it describes: "… is called X"
    next_words: frozenset[str]  # what may follow a plain copula in a definition ("is a …", not "is important")
    copulas: tuple[str, ...]


def _compile(defining: str, naming: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(defining, re.IGNORECASE), re.compile(naming, re.IGNORECASE)


_ENGLISH = _compile(
    rf"^(?:(?P<article>the|a|an)\s+)?{_TERM}{_GLOSS}\s+"
    r"(?P<verb>is|are|was|were|refers? to|means?|describes?|denotes?|represents?)\s+(?P<rest>\S.*)$",
    rf"\b(?P<verb>is|are|was|were)\s+(?:called|known as|termed|named)\s+(?:the\s+|an?\s+)?{_NAME}"
    r"(?=\s*[,.;:()]|\s+(?:and|or|which|that|because|by|in|for)\b|$)",
)
_GERMAN = _compile(
    rf"^(?:(?P<article>der|die|das|ein|eine|einen)\s+)?{_TERM}{_GLOSS}\s+"
    r"(?P<verb>ist|sind|war|waren|bezeichnet|bedeutet|beschreibt)\s+(?P<rest>\S.*)$",
    rf"^(?:als|unter)\s+(?:(?:der|die|das|dem|den)\s+)?{_NAME}\s+(?P<verb>bezeichnet|versteht|nennt)\s+man\b"
    r"|\b(?P<verb2>nennt man|heißt|heißen|wird als|werden als)\s+(?:der\s+|die\s+|das\s+)?"
    f"{_NAME2}"
    r"(?=\s*[,.;:()]|\s+(?:bezeichnet|und|oder)\b|$)",
)
_FRENCH = _compile(
    rf"^(?:(?P<article>le|la|les|l['’]|un|une)\s*)?{_TERM}{_GLOSS}\s+"
    r"(?P<verb>est|sont|était|étaient|désigne|désignent|signifie)\s+(?P<rest>\S.*)$",
    rf"^on\s+(?P<verb>appelle|nomme|désigne par)\s+(?:(?:le|la|les|l['’])\s*)?{_NAME}"
    r"(?=\s*[,.;:()«]|\s+(?:le|la|les|l['’]|un|une|ce|cette|ces)\b)"
    r"|\b(?P<verb2>est appelée?|sont appelée?s|est nommée?|porte le nom de)\s+(?:(?:le|la|les|l['’])\s*)?"
    f"{_NAME2}"
    r"(?=\s*[,.;:()]|\s+(?:et|ou|qui)\b|$)",
)
_SPANISH = _compile(
    rf"^(?:(?P<article>el|la|los|las|un|una)\s+)?{_TERM}{_GLOSS}\s+"
    r"(?P<verb>es|son|era|eran|designa|significa)\s+(?P<rest>\S.*)$",
    rf"^se\s+(?P<verb>llama|llaman|denomina|denominan|conoce como)\s+(?:(?:el|la|los|las)\s+)?{_NAME}"
    r"(?=\s*[,.;:()]|\s+(?:a|al)\b)"
    r"|\b(?P<verb2>se llama|se denomina|recibe el nombre de|se conoce como)\s+(?:(?:el|la|los|las)\s+)?"
    f"{_NAME2}"
    r"(?=\s*[,.;:()]|\s+(?:y|o|que)\b|$)",
)

PATTERNS = {
    "en": Pattern(
        *_ENGLISH,
        listed("a an the one any defined called known what how responsible made composed considered"),
        COPULAS,
    ),
    "de": Pattern(
        *_GERMAN,
        listed("ein eine einer der die das jener diejenige derjenige dasjenige bezeichnung"),
        ("ist", "sind", "war", "waren"),
    ),
    "fr": Pattern(
        *_FRENCH,
        listed("un une le la les l l' l’ celui celle ceux ce cette ensemble"),
        ("est", "sont", "était", "étaient"),
    ),
    "es": Pattern(
        *_SPANISH,
        listed("un una el la los las lo aquel aquella aquello conjunto"),
        ("es", "son", "era", "eran"),
    ),
}


@dataclass(frozen=True, slots=True)
class Definition:
    sentence: int
    verb: str  # "is", "are", "was", "were", "refers to", "ist", "est", …
    surface: str  # the term as the defining sentence writes it
    article: str  # the article before it there, if any


def find_definitions(
    sentences: Sequence[str], known: Container[str], key_of: Callable[[list[str]], str], language: str = "en"
) -> dict[str, Definition]:
    """The first sentence that defines each candidate term (``key_of`` gives a term's key from its words)."""
    found: dict[str, Definition] = {}
    for i, sentence in enumerate(sentences):
        if sentence.endswith("?"):
            continue
        for term, verb, article in defined_terms(sentence, language):
            key = key_of(words(term))
            if key in known and key not in found:
                found[key] = Definition(i, verb, " ".join(words(term)), article)
    return found


def defined_terms(sentence: str, language: str = "en") -> list[tuple[str, str, str]]:
    """(term, verb, article) for each term the sentence defines or names."""
    pattern = PATTERNS.get(language)
    if pattern is None:
        return []
    out = []
    match = pattern.defining.match(sentence)
    if match is not None:
        verb = match.group("verb").lower()
        rest = words(match.group("rest"))
        if verb not in pattern.copulas or (rest and rest[0].lower() in pattern.next_words):
            out.append((match.group("term"), verb, (match.group("article") or "").lower()))
    for named in pattern.naming.finditer(sentence):
        groups = named.groupdict()
        term = groups.get("term") or groups.get("term2")
        verb = groups.get("verb") or groups.get("verb2") or ""
        if term:
            out.append((term, verb.lower(), ""))
    return [(term, verb, article) for term, verb, article in out if _term_like(term, language)]


def _term_like(term: str, language: str) -> bool:
    tokens = words(term)
    if not 1 <= len(tokens) <= MAX_TERM_WORDS + 1:
        return False
    if not is_content(tokens[0], 1, language) or not is_content(tokens[-1], 1, language):
        return False
    return language != "de" or tokens[-1][:1].isupper()  # a German term ends with its noun
