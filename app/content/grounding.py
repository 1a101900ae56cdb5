"""Evidence: the passages of the source that an item rests on, found by the server, never taken on trust.

A generator offers candidate quotes (the LLM writes them, the offline engine knows the sentences it used). Each
is looked up in the job's source text under a forgiving comparison — case, whitespace, quote marks, dashes and
Markdown punctuation do not count, letters and digits do — and where it is found, the evidence carries the
exact text between the offsets found. A quote that is not found is not evidence. Offsets are never invented.

Offsets are characters of the source's extracted text (``GET /v1/sources/{id}/text``); for a job made from
several sources, each piece of evidence names its source and the offsets within it, and the PDF page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field

MIN_QUOTE_CHARACTERS = 12  # letters and digits: shorter quotes match too much to support anything
PARTIAL_MIN_WORDS = 6  # a partial match (the offline engine's sentences through markup) keeps this many words


class Evidence(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_id: str | None = Field(description="The source the passage is in; null for a job's pasted source_text.")
    start: int = Field(ge=0, description="Offset of the passage's first character in the source's text.")
    end: int = Field(ge=0, description="Offset just past its last character.")
    quote: str = Field(description="Exactly the source's text from start to end.")
    page: int | None = Field(default=None, description="The PDF page the passage starts on.")


class Grounding(BaseModel):
    """How many of an artifact's items have evidence, and how many do not."""

    model_config = ConfigDict(frozen=True)

    supported: int = Field(ge=0)
    unsupported: int = Field(ge=0)


class SourceRef(BaseModel):
    """One of a job's sources: where its text lies in the job's joined source text, so evidence found there can
    name the source, its own offsets and its PDF page."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page_starts: tuple[int, ...] = ()

    def page_of(self, offset: int) -> int | None:
        """The 1-based PDF page holding the character at ``offset`` (an offset in this source's own text)."""
        if not self.page_starts:
            return None
        return sum(1 for start in self.page_starts if start <= offset) or 1


_APOSTROPHES = frozenset("'\u2019\u02bc\u2018`\u00b4")


def _folded(text: str) -> tuple[str, list[int]]:
    """The text as compared: letters and digits case-folded, apostrophes dropped, every other run of characters
    one space; and for each character of it, the offset of the character of ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    gap = True
    for index, char in enumerate(text):
        if char.isalnum():
            for folded in unicodedata.normalize("NFKC", char).casefold():
                out.append(folded)
                where.append(index)
            gap = False
        elif char in _APOSTROPHES:
            continue
        elif not gap:
            out.append(" ")
            where.append(index)
            gap = True
    return "".join(out), where


@dataclass(frozen=True, slots=True)
class SourceIndex:
    """A job's source text, ready for finding quotes in."""

    text: str
    refs: tuple[SourceRef, ...]
    folded: str
    where: tuple[int, ...]

    def find(self, quote: str, *, partial: bool = False) -> tuple[int, int] | None:
        """Offsets in the text of the passage the quote is (None when it is not there). ``partial`` also takes
        the longest opening or closing run of at least ``PARTIAL_MIN_WORDS`` of its words, for text a generator
        took through markup (a link's address, a footnote) that the comparison cannot see past."""
        wanted = _folded(quote)[0].strip()
        if sum(1 for c in wanted if c != " ") < MIN_QUOTE_CHARACTERS:
            return None
        found = self._locate(wanted)
        if found is None and partial:
            words = wanted.split(" ")
            for size in range(len(words) - 1, PARTIAL_MIN_WORDS - 1, -1):
                for run in (words[:size], words[-size:]):
                    found = self._locate(" ".join(run))
                    if found is not None:
                        return found
        return found

    def _locate(self, wanted: str) -> tuple[int, int] | None:
        at = self.folded.find(wanted)
        while at != -1:
            # Whole words only: the match must not start or end inside a word of the source.
            before = at == 0 or self.folded[at - 1] == " "
            after = at + len(wanted) == len(self.folded) or self.folded[at + len(wanted)] == " "
            if before and after:
                return self.where[at], self.where[at + len(wanted) - 1] + 1
            at = self.folded.find(wanted, at + 1)
        return None

    def evidence(self, quote: str, *, partial: bool = False) -> Evidence | None:
        found = self.find(quote, partial=partial)
        if found is None:
            return None
        start, end = found
        for ref in self.refs:
            if ref.start <= start and end <= ref.end:
                local = start - ref.start
                return Evidence(
                    source_id=ref.id,
                    start=local,
                    end=end - ref.start,
                    quote=self.text[start:end],
                    page=ref.page_of(local),
                )
        if self.refs:  # across the gap between two sources: not one passage
            return None
        return Evidence(source_id=None, start=start, end=end, quote=self.text[start:end])

    def evidence_for(self, quotes: Sequence[str], *, partial: bool = False, limit: int = 3) -> list[Evidence]:
        """The evidence the quotes are, in order, each passage once: a passage inside (or overlapping) one
        already found adds nothing."""
        found: list[Evidence] = []
        for quote in quotes:
            item = self.evidence(quote, partial=partial)
            if item is not None and not any(
                e.source_id == item.source_id and e.start < item.end and item.start < e.end for e in found
            ):
                found.append(item)
            if len(found) >= limit:
                break
        return found


def index_source(text: str, refs: Sequence[SourceRef] = ()) -> SourceIndex:
    return _index(text, tuple(refs))


@lru_cache(maxsize=16)
def _index(text: str, refs: tuple[SourceRef, ...]) -> SourceIndex:
    folded, where = _folded(text)
    return SourceIndex(text=text, refs=refs, folded=folded, where=tuple(where))


def localise(items: list[dict[str, object]], refs: Sequence[SourceRef]) -> list[dict[str, object]]:
    """Items whose evidence is in the job's joined text (as generated, and cached for any job of that text),
    with each piece of evidence moved to its own source: its id, offsets within it and PDF page. Evidence that
    spans two sources is dropped."""
    if not refs:
        return items
    out = []
    for item in items:
        moved = []
        for raw in item.get("evidence") or []:  # type: ignore[attr-defined]
            evidence = Evidence.model_validate(raw)
            for ref in refs:
                if ref.start <= evidence.start and evidence.end <= ref.end:
                    local = evidence.start - ref.start
                    moved.append(
                        evidence.model_copy(
                            update={
                                "source_id": ref.id,
                                "start": local,
                                "end": evidence.end - ref.start,
                                "page": ref.page_of(local),
                            }
                        ).model_dump(mode="json")
                    )
                    break
        out.append({**item, "evidence": moved})
    return out


def verified(items: list[dict[str, object]], text: str) -> list[dict[str, object]]:
    """Items whose every piece of evidence is ``text`` between its offsets. Evidence made for another spelling
    of the text (a cached artifact is shared by texts that differ only in whitespace) is found again in this
    one, or dropped."""
    index: SourceIndex | None = None
    out = []
    for item in items:
        kept: list[object] = []
        for raw in item.get("evidence") or []:  # type: ignore[attr-defined]
            evidence = Evidence.model_validate(raw)
            if text[evidence.start : evidence.end] == evidence.quote:
                kept.append(raw)
                continue
            index = index or index_source(text)
            found = index.evidence(evidence.quote)
            if found is not None:
                kept.append(found.model_dump(mode="json"))
        out.append({**item, "evidence": kept})
    return out


def grounding_of(items: Sequence[dict[str, object]]) -> Grounding:
    supported = sum(1 for item in items if item.get("evidence"))
    return Grounding(supported=supported, unsupported=len(items) - supported)


def evidence_field(model: type[BaseModel]) -> str | None:
    """The list of an artifact model whose items carry evidence (``cards``, ``items``, ``questions``,
    ``key_concepts``), or None for an artifact without any."""
    for name, info in model.model_fields.items():
        for argument in get_args(info.annotation):
            if isinstance(argument, type) and issubclass(argument, BaseModel) and "evidence" in argument.model_fields:
                return name
    return None


def take_quotes(raw: object, items: str) -> list[list[str]]:
    """Remove the ``quotes`` a model wrote on each item of ``raw[items]`` and return them, item by item (and any
    ``evidence`` it wrote: that is never taken on trust)."""
    listed = raw.get(items) if isinstance(raw, dict) else None
    if not isinstance(listed, list):
        return []
    out: list[list[str]] = []
    for item in listed:
        if isinstance(item, dict):
            item.pop("evidence", None)  # evidence is the server's to find, whatever a model writes there
        quotes = item.pop("quotes", None) if isinstance(item, dict) else None
        out.append([str(q) for q in quotes if isinstance(q, str)] if isinstance(quotes, list) else [])
    return out


def attach(
    items: list[dict[str, object]], quotes: Sequence[Sequence[str]], index: SourceIndex, *, partial: bool = False
) -> list[int]:
    """Give each item the evidence its quotes are found to be; the positions of the items left without any."""
    missing = []
    for position, item in enumerate(items):
        offered = quotes[position] if position < len(quotes) else ()
        found = index.evidence_for(offered, partial=partial)
        item["evidence"] = [evidence.model_dump(mode="json") for evidence in found]
        if not found:
            missing.append(position)
    return missing


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def own_quotes(item: dict[str, object]) -> list[str]:
    """What an item of the offline engine was made from: its texts, sentence by sentence, longest first (the
    engine copies sentences of the source into answers, passages and explanations). Options and other short
    strings are not sentences of the source, and are left out."""
    texts = [value for key, value in item.items() if isinstance(value, str)]
    sentences = [s.strip() for text in texts for s in _SENTENCE_END.split(text)]
    usable = {s for s in sentences if len(s.split()) >= PARTIAL_MIN_WORDS}
    return sorted(usable, key=lambda s: (-len(s), s))
