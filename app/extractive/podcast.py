"""The podcast script: a host's fixed lines leading a guest through sentences quoted from the text.

The episode aims at the requested minutes (150 spoken words a minute) by quoting more of each section's best
sentences; a short text gives a short episode, since nothing is invented to fill time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.extractive.analysis import Analysis
from app.extractive.questions import does
from app.extractive.sections import Section
from app.extractive.selection import overview, quote
from app.extractive.text import LINE_LIMIT, clip, in_sentence

HOST = "Host"
GUEST = "Guest"
SPEAKERS = (
    {"name": HOST, "role": "Presenter who guides the conversation"},
    {"name": GUEST, "role": "Expert who explains the material, in the source text's own words"},
)
WORDS_PER_MINUTE = 150
DEFAULT_MINUTES = 10
SENTENCES_PER_TURN = 3
_RECAP_TITLES = 4
_FOLLOW_UPS = ("Can you say more about {p}?", "Where {does} {p} come in?", "Why {does} {p} matter here?")
_GO_ON = "Please go on."


def podcast_script(
    analysis: Analysis, sections: Sequence[Section], title: str, controls: dict[str, Any]
) -> dict[str, Any]:
    budget = int(controls.get("minutes") or DEFAULT_MINUTES) * WORDS_PER_MINUTE
    segments: list[dict[str, str]] = []

    def say(speaker: str, text: str) -> None:
        segments.append({"speaker": speaker, "text": text})

    say(HOST, f"Welcome to the show. Today we're talking about {in_sentence(title)}.")
    opening = overview(analysis)
    say(GUEST, quote(analysis, opening))
    used = set(opening)
    remaining = max(0, budget - sum(_words(analysis, i) for i in opening))
    total = sum(len(s.sentences) for s in sections) or 1
    asked = 0
    for section in sections:
        fresh = [i for i in section.sentences if i not in used]
        picked = _within(analysis, fresh, remaining * len(section.sentences) / total)
        picked = picked or analysis.best(section.sentences, 1)
        used.update(picked)
        say(HOST, f"Let's turn to {section.title}.")
        for start in range(0, len(picked), SENTENCES_PER_TURN):
            chunk = picked[start : start + SENTENCES_PER_TURN]
            if start:
                say(HOST, _follow_up(analysis, chunk, asked))
                asked += 1
            say(GUEST, quote(analysis, chunk))
    say(HOST, f"To recap, we covered {_listing([s.title for s in sections])}. Thank you for listening.")
    say(GUEST, "Thanks for having me.")
    spoken = sum(len(s["text"].split()) for s in segments)
    return {
        "title": clip(f"{title}: A Conversation", LINE_LIMIT),
        "speakers": [dict(s) for s in SPEAKERS],
        "segments": segments,
        "estimated_minutes": min(240.0, max(0.1, round(spoken / WORDS_PER_MINUTE, 1))),
    }


def _words(analysis: Analysis, i: int) -> int:
    return len(analysis.sentences[i].split())


def _within(analysis: Analysis, indices: list[int], words: float) -> list[int]:
    """The best sentences whose words fit the share (at least one), in document order."""
    picked: list[int] = []
    spent = 0
    for i in sorted(indices, key=lambda i: (-analysis.scores[i], i)):
        size = _words(analysis, i)
        if picked and spent + size > words:
            continue
        picked.append(i)
        spent += size
    return sorted(picked)


def _follow_up(analysis: Analysis, chunk: list[int], asked: int) -> str:
    keys = [key for i in chunk for key in analysis.mentions[i]]
    if not keys:
        return _GO_ON
    best = max(keys, key=lambda key: (analysis.by_key[key].score, -keys.index(key)))
    term = analysis.by_key[best]
    return _FOLLOW_UPS[asked % len(_FOLLOW_UPS)].format(p=term.phrase, does=does(term))


def _listing(titles: list[str]) -> str:
    shown = titles[:_RECAP_TITLES]
    if len(titles) > _RECAP_TITLES:
        return ", ".join(shown) + " and more"
    return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]
