"""The podcast script: a host leading a guest through sentences quoted from the text, in the text's language.

The host's lines come from the phrasebook, each used at most once per episode: welcomes, a question to open,
transitions between sections, follow-ups on the term the guest just explained, prompts, a summary and a
closing. When the lines run out the guest simply goes on, so no line is heard twice.

The episode aims at the requested minutes (150 spoken words a minute) by quoting more or fewer of each
section's best sentences, within a quarter either way. A text too short for that gives a shorter episode, and
the host says so: nothing is invented to fill time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.extractive.analysis import Analysis
from app.extractive.builders import Brief
from app.extractive.phrasebook import Phrasebook
from app.extractive.phrasebooks import phrasebook
from app.extractive.questions import fields
from app.extractive.sections import Section
from app.extractive.selection import overview, quote
from app.extractive.text import LINE_LIMIT, clip

WORDS_PER_MINUTE = 150
DEFAULT_MINUTES = 10
SENTENCES_PER_TURN = 3
SHORT_BY = 0.75  # below this share of the requested length, the host says why
TURN_LIMIT = 19_000  # characters a turn may grow to before the next one starts (a Text field holds 20,000)
_RECAP_TITLES = 4


class _Lines:
    """The host's lines, each template used once: ``take`` gives the next unused variant, or ``None``."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, templates: Sequence[str], **values: str) -> str | None:
        for template in templates:
            if template not in self._used:
                self._used.add(template)
                return template.format(**values)
        return None


def podcast_script(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    book = phrasebook(analysis.language)
    minutes = int(brief.controls.get("minutes") or DEFAULT_MINUTES)
    budget = minutes * WORDS_PER_MINUTE
    lines = _Lines()
    segments: list[dict[str, str]] = []

    def say(speaker: str, text: str) -> None:
        last = segments[-1] if segments else None
        if last is not None and last["speaker"] == speaker and len(last["text"]) + 1 + len(text) <= TURN_LIMIT:
            last["text"] = f"{last['text']} {text}"  # nobody spoke between: the same turn goes on
        else:
            segments.append({"speaker": speaker, "text": text})

    def host(text: str | None) -> bool:
        if text is None:
            return False
        say(book.host, text)
        return True

    def guest(text: str) -> None:
        say(book.guest, text)

    host(lines.take(book.welcomes, title=brief.title))
    host(lines.take(book.introductions))
    opening = overview(analysis)
    guest(quote(analysis, opening))
    used = set(opening)
    picked_by_section = _allot(analysis, brief.sections, used, budget - _spoken(analysis, opening) - 60)
    for section, picked in zip(brief.sections, picked_by_section, strict=True):
        used.update(picked)
        asked = host(lines.take(book.transitions, section=section.title))
        for start in range(0, len(picked), SENTENCES_PER_TURN):
            chunk = picked[start : start + SENTENCES_PER_TURN]
            if start or not asked:
                host(_follow_up(analysis, chunk, lines, book))
            guest(quote(analysis, chunk))
    titles = [s.title for s in brief.sections]
    spoken = sum(len(s["text"].split()) for s in segments)
    if spoken < SHORT_BY * budget:
        host(book.shorter.format(minutes=minutes))
    host(lines.take(book.summaries, topics=_listing(titles, book)))
    host(lines.take(book.closings))
    guest(lines.take(book.guest_closings) or book.guest_closings[0])
    spoken = sum(len(s["text"].split()) for s in segments)
    return {
        "title": clip(book.podcast_title.format(title=brief.title), LINE_LIMIT),
        "speakers": [{"name": book.host, "role": book.host_role}, {"name": book.guest, "role": book.guest_role}],
        "segments": segments,
        "estimated_minutes": min(240.0, max(0.1, round(spoken / WORDS_PER_MINUTE, 1))),
    }


def _spoken(analysis: Analysis, indices: Sequence[int]) -> int:
    return sum(len(analysis.sentences[i].split()) for i in indices)


def _allot(analysis: Analysis, sections: Sequence[Section], used: set[int], words: float) -> list[list[int]]:
    """Each section's best sentences, in order, filling its share of ``words`` (at least one each)."""
    total = sum(len(s.sentences) for s in sections) or 1
    picked: list[list[int]] = []
    for section in sections:
        fresh = [i for i in section.sentences if i not in used]
        share = max(0.0, words) * len(section.sentences) / total
        chosen: list[int] = []
        spent = 0
        for i in sorted(fresh, key=lambda i: (-analysis.scores[i], i)):
            size = len(analysis.sentences[i].split())
            if chosen and spent + size > share:
                continue
            chosen.append(i)
            spent += size
        picked.append(sorted(chosen) or analysis.best(section.sentences, 1))
    return picked


def _follow_up(analysis: Analysis, chunk: list[int], lines: _Lines, book: Phrasebook) -> str | None:
    """A question on the term the coming sentences explain, or a prompt; ``None`` once both are used up."""
    keys = [key for i in chunk for key in analysis.mentions[i]]
    if keys:
        best = max(keys, key=lambda key: (analysis.by_key[key].score, -keys.index(key)))
        asked = lines.take(book.follow_ups, **fields(analysis, analysis.by_key[best]))
        if asked is not None:
            return asked
    return lines.take(book.prompts)


def _listing(titles: list[str], book: Phrasebook) -> str:
    shown = titles[:_RECAP_TITLES]
    if len(titles) > _RECAP_TITLES:
        return ", ".join(shown) + f" {book.and_more}"
    return ", ".join(shown[:-1]) + f" {book.and_word} {shown[-1]}" if len(shown) > 1 else shown[0]
