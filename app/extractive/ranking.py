"""Sentence importance: key-term coverage blended with TextRank centrality over word overlap.

TextRank compares every pair of sentences, so it runs over at most ``POOL`` sentences (those that cover the
most key terms); the rest keep their coverage score alone. That bounds the work on a 200,000-character text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from app.extractive.lexicon import is_content, lemma, words

POOL = 200
_DAMPING = 0.85
_ITERATIONS = 30
_TOLERANCE = 1e-6


def rank_sentences(
    sentences: Sequence[str],
    paragraph_of: Sequence[int],
    mentions: Sequence[Sequence[str]],
    term_scores: Mapping[str, float],
    language: str = "en",
) -> list[float]:
    """A score per sentence, higher for sentences that are central and carry the text's key terms."""
    bags = [_content_lemmas(s, language) for s in sentences]
    coverage = [
        sum(term_scores[key] for key in keys) / math.sqrt(max(len(bag), 8))
        for keys, bag in zip(mentions, bags, strict=True)
    ]
    pool = sorted(range(len(sentences)), key=lambda i: (-coverage[i], i))[:POOL]
    pool.sort()
    centrality = dict(zip(pool, _textrank([bags[i] for i in pool]), strict=True))
    top_coverage = max(coverage, default=0.0) or 1.0
    top_centrality = max(centrality.values(), default=0.0) or 1.0
    scores = []
    for i, sentence in enumerate(sentences):
        score = 0.6 * coverage[i] / top_coverage + 0.4 * centrality.get(i, 0.0) / top_centrality
        if i == 0:
            score += 0.15
        elif paragraph_of[i] != paragraph_of[i - 1]:
            score += 0.05
        scores.append(round(score * _shape(sentence), 6))
    return scores


def _content_lemmas(sentence: str, language: str) -> frozenset[str]:
    return frozenset(lemma(t, language) for j, t in enumerate(words(sentence)) if is_content(t, j, language))


def _shape(sentence: str) -> float:
    """Fragments, questions and lead-ins ("The stages are:") make poor summary sentences."""
    size = len(words(sentence))
    factor = 1.0
    if size < 6:
        factor *= 0.6
    elif size > 50:
        factor *= 0.85
    if sentence.endswith(":"):
        factor *= 0.3
    elif sentence.endswith("?"):
        factor *= 0.5
    return factor


def _textrank(bags: Sequence[frozenset[str]]) -> list[float]:
    n = len(bags)
    if n == 0:
        return []
    logs = [math.log(len(bag) + 1) for bag in bags]
    incoming: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    out_weight = [0.0] * n
    for a in range(n):
        bag_a = bags[a]
        if not bag_a:
            continue
        for b in range(a + 1, n):
            shared = len(bag_a & bags[b])
            if shared:
                weight = shared / (logs[a] + logs[b])
                incoming[a].append((b, weight))
                incoming[b].append((a, weight))
                out_weight[a] += weight
                out_weight[b] += weight
    normalised = [[(j, w / out_weight[j]) for j, w in edges] for edges in incoming]
    rank = [1.0] * n
    for _ in range(_ITERATIONS):
        new = [(1 - _DAMPING) + _DAMPING * sum(w * rank[j] for j, w in edges) for edges in normalised]
        delta = max(abs(x - y) for x, y in zip(new, rank, strict=True))
        rank = new
        if delta < _TOLERANCE:
            break
    return rank
