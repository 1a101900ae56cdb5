"""Plain-text handling: paragraphs, headings, bullet lists, sentences and words."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from app.extractive.stopwords import ABBREVIATIONS, FUNCTION_WORDS, NUMBERED_ABBREVIATIONS

LINE_LIMIT = 1_000  # models.Line
TEXT_LIMIT = 20_000  # models.Text
MIN_SENTENCE_WORDS = 3

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_BULLET = re.compile(r"^(?:[-*•‣◦▪–—+]|\(?\d{1,3}[.)]|\(?[a-zA-Z][)])\s+")
_HASH_HEADING = re.compile(r"^#{1,6}\s+")
_TERMINAL = tuple(".!?,;:\"'”’)]…")
# A possible boundary: terminal punctuation, closing quotes or brackets, space, then what can open a sentence.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_TOKEN = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Document:
    """A text cut into unique sentences, with the paragraph of each and the headings between them."""

    sentences: tuple[str, ...]
    paragraph_of: tuple[int, ...]
    headings: tuple[tuple[int, str], ...]  # (index of the first sentence below the heading, heading)
    title: str | None  # a heading that opens the text


def parse(text: str) -> Document:
    """Cut a text into paragraphs and sentences; drop fragments under three words and repeated sentences."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").replace("\u00a0", " ")
    sentences: list[str] = []
    paragraph_of: list[int] = []
    headings: list[tuple[int, str]] = []
    title: str | None = None
    seen: set[str] = set()
    paragraph = 0
    for block in _PARAGRAPH_BREAK.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        items: list[str] = []
        for position, line in enumerate(lines):
            following = lines[1] if position == 0 and len(lines) > 1 else None
            heading = _heading(line, alone=len(lines) == 1, next_line=following)
            if heading is not None and (position == 0 or line.startswith("#")):
                if not sentences and not headings and title is None and paragraph == 0:
                    title = heading
                else:
                    headings.append((len(sentences), heading))
                continue
            if _BULLET.match(line) or not items:
                items.append(_BULLET.sub("", line, count=1))
            else:
                items[-1] = f"{items[-1]} {line}"
        added = False
        for item in items:
            for sentence in split_sentences(item):
                key = normalised(sentence)
                if key in seen or len(words(sentence)) < MIN_SENTENCE_WORDS:
                    continue
                seen.add(key)
                sentences.append(sentence)
                paragraph_of.append(paragraph)
                added = True
        paragraph += int(added)
    return Document(tuple(sentences), tuple(paragraph_of), tuple(headings), title)


def _heading(line: str, *, alone: bool, next_line: str | None) -> str | None:
    """The heading a line holds: a '#' line, or a short unpunctuated line set apart or written in title case."""
    if _HASH_HEADING.match(line):
        stripped = _HASH_HEADING.sub("", line).strip().rstrip(":").strip()
        return clip(stripped, LINE_LIMIT) or None
    if _BULLET.match(line) or line.endswith(_TERMINAL) or len(line) > 120:
        return None
    tokens = line.split()
    if not 1 <= len(tokens) <= 12 or not (line[0].isupper() or line[0].isdigit()):
        return None
    if alone:
        return line
    title_cased = all(t[0].isupper() or t.lower() in FUNCTION_WORDS for t in tokens if t[0].isalpha())
    if next_line is not None and title_cased and len(tokens) <= 8 and next_line[:1].isupper():
        return line
    return None


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences, keeping abbreviations, initials and decimals intact."""
    text = _SPACE.sub(" ", text).strip()
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if not _ends_sentence(text, match.start(), end):
            continue
        out.extend(_clip_long(text[start:end].strip()))
        start = end
    out.extend(_clip_long(text[start:].strip()))
    return [s for s in out if s]


def _ends_sentence(text: str, punct_at: int, next_at: int) -> bool:
    if text[punct_at] != "." or text[punct_at : punct_at + 2] == "..":
        return True
    # The word before the stop: back to the previous space only (the text's spaces are single ones), so each
    # boundary reads its own word and the whole split stays linear in the text.
    word = text[text.rfind(" ", 0, punct_at) + 1 : punct_at].lstrip("\"'“‘([").lower()
    if not word:
        return True
    if word in ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "J. K. Rowling"
        return False
    following = text[next_at : next_at + 1]
    return not (word in NUMBERED_ABBREVIATIONS and following.isdigit())


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


def words(text: str) -> list[str]:
    """The word tokens of a text, as written (hyphenated words and contractions stay whole)."""
    return _TOKEN.findall(text)


@functools.lru_cache(maxsize=65_536)  # a text repeats its words: each is stemmed once
def stem(word: str) -> str:
    """A crude, deterministic key for a word: lower case, no possessive, singular."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.rstrip("'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


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


def title_case(phrase: str) -> str:
    """Capitalise a phrase for a heading; acronyms and names keep their capitals."""
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
