"""Sentences and words: a document's blocks (``markup``) cut into sentences, and the small text helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

from app.extractive import markup
from app.extractive.language import IMPERSONAL, REFERRING
from app.extractive.lexicon import words
from app.extractive.stopwords import FUNCTION_WORDS

LINE_LIMIT = 1_000  # models.Line
TEXT_LIMIT = 20_000  # models.Text
MIN_SENTENCE_WORDS = 3

_SPACE = re.compile(r"\s+")
_ANGLES = str.maketrans("<>", "==")
MERGE_LIMIT = 400  # a sentence that refers back is joined to the one before while the two fit this


@dataclass(frozen=True, slots=True)
class Document:
    """A text cut into unique sentences, with the paragraph of each and the headings between them."""

    sentences: tuple[str, ...]
    paragraph_of: tuple[int, ...]
    headings: tuple[tuple[int, str], ...]  # (index of the first sentence below the heading, heading)
    title: str | None  # a heading that opens the text
    dependent: tuple[bool, ...] = ()  # per sentence: it opens by referring to a sentence it could not be joined to


def parse(text: str, language: str = "en") -> Document:
    """Read a text's structure (``markup.blocks``) and cut its paragraphs and list items into sentences.

    A sentence that opens by referring back ("It absorbs red light.") is joined to the sentence before it in
    its paragraph; one that opens a paragraph is kept, marked ``dependent``. Fragments under three words and
    repeated sentences are dropped."""
    sentences: list[str] = []
    paragraph_of: list[int] = []
    dependent: list[bool] = []
    headings: list[tuple[int, str]] = []
    title: str | None = None
    seen: set[str] = set()
    paragraph = 0
    previous_kind = "heading"
    for block in markup.blocks(text):
        if block.kind == "heading":
            heading = clip(block.text.rstrip(":").strip(), LINE_LIMIT)
            if not sentences and not headings and title is None:
                title = heading
            elif heading:
                headings.append((len(sentences), heading))
            previous_kind = block.kind
            continue
        if sentences and not (block.kind == "item" and previous_kind == "item"):
            paragraph += int(paragraph_of[-1] == paragraph)  # a new paragraph (a list's items share one)
        previous_kind = block.kind
        for unit, refers in _units(split_sentences(block.text, language), language):
            if markup.CODE_OPEN in unit:
                continue  # it quotes code: no artifact may
            key = normalised(unit)
            if key in seen or len(words(unit)) < MIN_SENTENCE_WORDS:
                continue
            seen.add(key)
            sentences.append(unit)
            paragraph_of.append(paragraph)
            dependent.append(refers)
    return Document(tuple(sentences), tuple(paragraph_of), tuple(headings), title, tuple(dependent))


def _units(pieces: list[str], language: str) -> list[tuple[str, bool]]:
    """Sentences of one block, each joined to the one before when it refers back and the two fit together."""
    units: list[tuple[str, bool]] = []
    for piece in pieces:
        if refers_back(piece, language):
            if units and len(units[-1][0]) + 1 + len(piece) <= MERGE_LIMIT:
                units[-1] = (f"{units[-1][0]} {piece}", units[-1][1])
                continue
            units.append((piece, True))  # opening its block, or too long to join: it stays dependent
        else:
            units.append((piece, False))
    return units


def refers_back(sentence: str, language: str = "en") -> bool:
    """Whether a sentence opens with a word that refers to an earlier one ("It", "Diese", "Cette", "Su")."""
    opening = sentence.lstrip("\"'“‘«(¿¡ ").lower()
    tokens = words(opening[:40])
    first = tokens[0].replace("’", "'").split("'")[0] if tokens else ""  # "c'est" -> "c", "it's" -> "it"
    if first not in REFERRING.get(language, frozenset()):
        return False
    return not opening.startswith(IMPERSONAL.get(language, ()))


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split running text into sentences (``sentencex``: rules per language for abbreviations, initials,
    numbers and quotes), cutting run-ons that would not fit a line field."""
    text = _SPACE.sub(" ", text).strip()
    if not text:
        return []
    # sentencex pairs "<" with a later ")" as if they were brackets and will not split between them; the
    # comparison signs of technical prose ("i < j") are masked for the split, and the cuts made in the text.
    masked = text.translate(_ANGLES)
    out: list[str] = []
    for boundary in sentencex.get_sentence_boundaries(language, masked):
        out.extend(_clip_long(text[boundary["start_index"] : boundary["end_index"]].strip()))
    return [s for s in out if s]


def _clip_long(sentence: str) -> list[str]:
    """Cut a run-on 'sentence' (a text without full stops) into pieces that fit a line field."""
    pieces: list[str] = []
    start = 0
    while len(sentence) - start > LINE_LIMIT:  # by position, so a giant run-on is read once, not copied per piece
        end = start + LINE_LIMIT
        cut = max(sentence.rfind("; ", start, end), sentence.rfind(", ", start, end))
        if cut < start + LINE_LIMIT // 2:
            cut = sentence.rfind(" ", start, end)
        if cut <= start:
            cut = end - 1
        pieces.append(sentence[start : cut + 1].strip())
        start = cut + 1
        while start < len(sentence) and sentence[start] == " ":
            start += 1
    pieces.append(sentence[start:].strip())
    return pieces


def normalised(text: str) -> str:
    """The form the artifact models compare for uniqueness (see models._normalised)."""
    return " ".join(text.casefold().split()).rstrip("?.!")


def clip(text: str, limit: int) -> str:
    """Shorten text to at most ``limit`` characters, at a word boundary, marking the cut with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    if cut <= limit // 2:
        cut = limit - 1
    return text[:cut].rstrip(" ,;:") + "…"


def title_case(phrase: str, language: str = "en") -> str:
    """Capitalise a phrase for a heading: English capitalises its words (acronyms and names keep their
    capitals); the other languages write headings in sentence case, their first letter only."""
    if language != "en":
        return phrase[:1].upper() + phrase[1:]
    out = []
    for position, word in enumerate(phrase.split()):
        if position > 0 and word.lower() in FUNCTION_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def in_sentence(title: str) -> str:
    """A title as the middle of a sentence reads it: "The French Revolution" -> "the French Revolution"."""
    return "the" + title[3:] if title.startswith("The ") else title


def join_within(sentences: list[str], limit: int = TEXT_LIMIT, separator: str = " ") -> str:
    """Join sentences in order, stopping before the text field's limit."""
    out: list[str] = []
    size = 0
    for sentence in sentences:
        extra = len(sentence) + (len(separator) if out else 0)
        if size + extra > limit:
            break
        out.append(sentence)
        size += extra
    return separator.join(out)
