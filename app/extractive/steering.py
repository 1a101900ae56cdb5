"""A request's ``focus``, applied: the sentences and terms that match it weigh more in what every artifact
quotes and asks about.

The focus is read as words ("light reactions", "die Verdunstung"); a sentence matches when it uses one of their
lemmas, a term when its own words do. Matching sentences count ``WEIGHT`` times, matching terms too, and a term
gains with the share of its sentences that match; terms the focus names, or that live mostly in its sentences,
are taught first (``Analysis.focused``). Nothing else changes, so the text's structure (its sections) stays as
it is. A focus that matches nothing leaves the analysis as it was.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from app.extractive.analysis import Analysis
from app.extractive.lexicon import is_content, lemma, words

WEIGHT = 2.0


def steered(analysis: Analysis, focus: str | None) -> Analysis:
    language = analysis.language
    wanted = {lemma(t, language) for t in words(focus or "") if is_content(t, 1, language)}
    if not wanted:
        return analysis
    matching = {i for i, s in enumerate(analysis.sentences) if wanted & {lemma(t, language) for t in words(s)}}
    if not matching:
        return analysis
    scores = tuple(score * (WEIGHT if i in matching else 1.0) for i, score in enumerate(analysis.scores))
    weighted = []
    focused = set()
    for term in analysis.keyphrases:
        share = sum(1 for i in term.sentences if i in matching) / max(1, len(term.sentences))
        named = bool(wanted & set(term.key.split()))
        if named or share >= 0.5:
            focused.add(term.key)
        weighted.append(replace(term, score=round(term.score * (WEIGHT if named else 1.0) * (1.0 + share), 6)))
    order = {term.key: n for n, term in enumerate(analysis.keyphrases)}
    weighted.sort(key=lambda term: (-term.score, order[term.key]))
    return replace(
        analysis,
        scores=scores,
        keyphrases=tuple(weighted),
        by_key=MappingProxyType({term.key: term for term in weighted}),
        focused=frozenset(focused),
    )
