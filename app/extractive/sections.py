"""The section structure every artifact shares: where the text divides, and what each part is called.

The outline is planned from the text (at its headings, else at paragraph breaks, balanced by length); the
other artifacts map the outline they are given back onto the text, so all eight agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.content.models import Outline
from app.extractive.keyphrases import Keyphrase
from app.extractive.lexicon import is_content, lemma, words
from app.extractive.phrasebooks import phrasebook
from app.extractive.text import LINE_LIMIT, clip, normalised, title_case

if TYPE_CHECKING:
    from app.extractive.analysis import Analysis

MIN_SECTIONS = 3
MAX_SECTIONS = 10  # the detailed reading's limit, so that every artifact can follow the outline
SENTENCES_PER_SECTION = 8


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    sentences: tuple[int, ...]  # indices into Analysis.sentences, in order


def plan_sections(
    n: int,
    paragraph_of: Sequence[int],
    headings: Sequence[tuple[int, str]],
    mentions: Sequence[Sequence[str]],
    keyphrases: Sequence[Keyphrase],
    language: str = "en",
) -> list[Section]:
    """Cut ``n`` sentences into 3-10 contiguous sections (fewer only when there are fewer sentences)."""
    if n == 0:
        return []
    heading_at = {index: heading for index, heading in headings if index < n}
    starts = sorted({0, *heading_at})
    if MIN_SECTIONS <= len(starts) <= MAX_SECTIONS:
        cuts = starts
    else:
        k = min(n, max(MIN_SECTIONS, min(MAX_SECTIONS, round(n / SENTENCES_PER_SECTION))))
        paragraph_starts = [i for i in range(1, n) if paragraph_of[i] != paragraph_of[i - 1]]
        cuts = [0]
        for candidates in (starts[1:], paragraph_starts, list(range(1, n))):
            if len(candidates) >= k - 1:
                cuts = _balanced(candidates, n, k)
                break
    rank = {k.key: position for position, k in enumerate(keyphrases)}
    by_key = {k.key: k for k in keyphrases}
    used: set[str] = set()
    sections = []
    for number, start in enumerate(cuts):
        end = cuts[number + 1] if number + 1 < len(cuts) else n
        indices = tuple(range(start, end))
        heading = heading_at.get(start)
        title = clip(heading, LINE_LIMIT) if heading else None
        if title is None or normalised(title) in used:
            fallback = phrasebook(language).part.format(n=number + 1)
            title = _term_title(indices, mentions, rank, by_key, used, language) or _unused(fallback, used)
        used.add(normalised(title))
        sections.append(Section(title, indices))
    return sections


def _unused(title: str, used: set[str]) -> str:
    candidate, n = title, 1
    while normalised(candidate) in used:
        n += 1
        candidate = f"{title} ({n})"
    return candidate


def _balanced(candidates: Sequence[int], n: int, k: int) -> list[int]:
    """``k`` block starts (0 first) chosen from ``candidates`` to make the blocks as even as possible."""
    cuts = [0]
    low = 0
    for j in range(1, k):
        ideal = j * n / k
        high = len(candidates) - (k - 1 - j)
        best = min(range(low, high), key=lambda c: (abs(candidates[c] - ideal), c))
        cuts.append(candidates[best])
        low = best + 1
    return cuts


def _term_title(
    indices: Sequence[int],
    mentions: Sequence[Sequence[str]],
    rank: dict[str, int],
    by_key: dict[str, Keyphrase],
    used: set[str],
    language: str,
) -> str | None:
    """The key term most particular to the section (not yet a title), in title case.

    A term scores by its weight in the whole text, times how often the section mentions it, times the share of
    all its mentions that fall in this section; names of several words get a bonus.
    """
    local: Counter[str] = Counter()
    for i in indices:
        for key in mentions[i]:
            local[key] += 1

    def weight(key: str) -> float:
        term = by_key[key]
        share = local[key] / max(term.count, local[key])
        return term.score * local[key] * share * (1.5 if " " in key else 1.0)

    weighted = sorted(local, key=lambda key: (-weight(key), rank[key]))
    for key in weighted:
        title = title_case(by_key[key].text, language)
        if normalised(title) not in used:
            return title
    return None


def sections_for(analysis: Analysis, outline: Outline | None) -> list[Section]:
    """The text's sentences grouped under the outline's sections (the planned ones when they match)."""
    planned = list(analysis.sections)
    if outline is None:
        return planned
    if [normalised(s.title) for s in outline.sections] == [normalised(s.title) for s in planned]:
        return planned
    return _assign(analysis, outline)


def _bag(text: str, language: str) -> set[str]:
    return {lemma(t, language) for j, t in enumerate(words(text)) if is_content(t, j, language)}


def _assign(analysis: Analysis, outline: Outline) -> list[Section]:
    """Give each sentence to the outline section it shares most words with, keeping runs together."""
    bags = [_bag(" ".join([s.title, s.summary, *s.key_points]), analysis.language) for s in outline.sections]
    members: list[list[int]] = [[] for _ in bags]
    overlaps = []
    current = 0
    for i, sentence in enumerate(analysis.sentences):
        words_here = _bag(sentence, analysis.language)
        overlap = [len(words_here & bag) for bag in bags]
        overlaps.append(overlap)
        best = max(overlap)
        if best > 0 and overlap[current] < best:
            current = overlap.index(best)
        members[current].append(i)
    n = len(analysis.sentences)
    for s, indices in enumerate(members):
        if not indices and n:
            fallback = min(n - 1, s * n // len(members))
            best_i = max(range(n), key=lambda i: (overlaps[i][s], -abs(i - fallback)))
            indices.append(best_i)
    return [
        Section(section.title, tuple(sorted(indices)))
        for section, indices in zip(outline.sections, members, strict=True)
    ]
