"""Key terms of a text: C-value over stopword-delimited word runs, named as the text names them.

A candidate is a run of one to three content words (or a name joined by "of", as in "Reign of Terror"),
counted wherever it occurs. A candidate that mostly occurs inside a longer one ("carbon" inside "carbon
dioxide") loses the occurrences the longer one explains, so the longer one wins.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.extractive.definitions import COPULAS, Definition, find_definitions
from app.extractive.phrases import JOINERS, phrase_key, runs, spans
from app.extractive.stopwords import ARTICLES, GENERIC
from app.extractive.text import stem, words

# Words that, before a run, show it starts with a verb: "to build sugar", "which makes ATP".
_VERB_CUES_WORDS = "to can could may might must shall should will would cannot that which who they it we he she i you "
_VERB_CUES = frozenset(_VERB_CUES_WORDS.split())
# Determiners that, like "the", show a countable thing: "its window" -> "the window".
_DETERMINERS = frozenset(("its", "their", "this", "that", "these", "those", "his", "her", "our", "each", "every"))


@dataclass(frozen=True, slots=True)
class Keyphrase:
    key: str  # lower-case singular stems: the identity of the term
    text: str  # as the text usually writes it: "Calvin cycle"
    article: str  # what the text usually puts before it: "the", "a", "an" or ""
    score: float
    count: int
    sentences: tuple[int, ...]  # where it occurs, in order
    definition: int | None  # a sentence of the form "X is a …", "X refers to …", "… is called X"
    copula: str  # "is", "are", "was" or "were": how a question about it reads
    proper: bool  # a name: every word capitalised inside sentences

    @property
    def phrase(self) -> str:
        """The term as a sentence would mention it: "the Calvin cycle"."""
        return f"{self.article} {self.text}" if self.article else self.text


@dataclass(slots=True)
class _Candidate:
    size: int
    first: tuple[int, int]
    count: int = 0
    sentences: list[int] = field(default_factory=list)
    # Counts in plain dicts: a text has tens of thousands of candidates, most seen once, and a dict is made many
    # times faster than a Counter (``make bench``, "random vocabulary").
    surfaces: dict[str, int] = field(default_factory=dict)
    initial_surfaces: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    heads: int = 0  # occurrences that end their run: the word is the head of its phrase, not a modifier
    head_articles: dict[str, int] = field(default_factory=dict)  # the word before it, where it is a whole run


def extract(sentences: Sequence[str], headings: Sequence[str] = ()) -> tuple[list[Keyphrase], list[list[str]]]:
    """Ranked key terms of the sentences, and the key terms each sentence mentions.

    A term that a heading names is one of the text's topics, and counts double.
    """
    candidates: dict[str, _Candidate] = {}
    mentions: list[list[str]] = []
    lower_words: set[str] = set()
    for i, sentence in enumerate(sentences):
        tokens = words(sentence)
        lower_words.update(t for t in tokens[1:] if t.islower())
        keys: list[str] = []
        for run in runs(tokens):
            for start, end in spans(run, tokens):
                part = tokens[start:end]
                key = phrase_key(part)
                cand = candidates.get(key)
                if cand is None:
                    size = sum(1 for t in part if t.lower() not in JOINERS)
                    cand = candidates[key] = _Candidate(size=size, first=(i, start))
                cand.count += 1
                if not cand.sentences or cand.sentences[-1] != i:
                    cand.sentences.append(i)
                surface = " ".join(part)
                _add(cand.surfaces if start > 0 else cand.initial_surfaces, surface)
                before = tokens[start - 1].lower() if start > 0 else ""
                _add(cand.articles, before)
                if end == run[-1] + 1:
                    cand.heads += 1
                    if start == run[0]:
                        _add(cand.head_articles, before)
                keys.append(key)
        mentions.append(list(dict.fromkeys(keys)))
    definitions = find_definitions(sentences, candidates)
    scores = _c_values(candidates)
    named: set[str] = set()
    for heading in headings:
        tokens = words(heading)
        named.update(phrase_key(tokens[a:b]) for run in runs(tokens) for a, b in spans(run, tokens))
    ranked: list[Keyphrase] = []
    for key, cand in candidates.items():
        definition = definitions.get(key)
        # A defined term is a concept the text sets out to teach: it keeps at least its raw count and gains.
        score = scores[key] if definition is None else 2.0 * max(scores[key], float(cand.count))
        score *= 2.0 if key in named else 1.0
        if not _acceptable(key, cand, score, definition is not None):
            continue
        text = _display(cand, lower_words)
        ranked.append(
            Keyphrase(
                key=key,
                text=text,
                article=_article(cand, text, definition),
                score=round(score, 6),
                count=cand.count,
                sentences=tuple(cand.sentences),
                definition=None if definition is None else definition.sentence,
                copula=_copula(text, key, definition),
                proper=_proper(text),
            )
        )
    ranked.sort(key=lambda k: (-k.score, candidates[k.key].first, k.key))
    known = {k.key for k in ranked}
    return ranked, [[key for key in keys if key in known] for keys in mentions]


def _c_values(candidates: dict[str, _Candidate]) -> dict[str, float]:
    nested_sum: Counter[str] = Counter()
    nested_n: Counter[str] = Counter()
    for key, cand in candidates.items():
        if cand.size < 2 or cand.count < 2:
            continue
        parts = key.split()
        subs = {
            " ".join(parts[a:b])
            for a in range(len(parts))
            for b in range(a + 1, len(parts) + 1)
            if b - a < len(parts) and parts[a] not in JOINERS and parts[b - 1] not in JOINERS
        }
        for sub in sorted(subs):
            if sub in candidates:
                nested_sum[sub] += cand.count
                nested_n[sub] += 1
    values = {}
    for key, cand in candidates.items():
        freq = cand.count - (nested_sum[key] / nested_n[key] if nested_n[key] else 0.0)
        values[key] = math.log2(cand.size + 1) * freq
    return values


def _acceptable(key: str, cand: _Candidate, score: float, defined: bool) -> bool:
    if score <= 0 or (cand.size == 1 and key in GENERIC):
        return False
    if defined:
        return True
    verb_cued = sum(n for word, n in cand.articles.items() if word in _VERB_CUES)
    if verb_cued * 2 > cand.count:
        return False
    parts = key.split()
    if cand.size == 1:
        # A lone word must be the head of a phrase somewhere ("the French" only ever modifies a noun),
        # and not a past-tense verb ("abolished").
        headed = cand.heads >= 2 or cand.heads * 3 >= cand.count
        return headed and not _past_tense(key)
    last = parts[-1]
    if _past_tense(last):
        return False
    if "of" not in parts and any(_plural_modifier(word) for word in _surface_words(cand)[:-1]):
        return False  # "releases oxygen": a modifier is singular, so a plural-looking first word is a verb
    return cand.count >= 2


def _past_tense(word: str) -> bool:
    return word.endswith("ed") and not word.endswith("eed") and len(word) > 4 and word[0].islower()


def _plural_modifier(word: str) -> bool:
    lower = word.lower()
    return lower != stem(lower) and lower.endswith("s") and not word.isupper() and "-" not in word


def _surface_words(cand: _Candidate) -> list[str]:
    return _most_common(cand.surfaces or cand.initial_surfaces).split()


def _display(cand: _Candidate, lower_words: set[str]) -> str:
    """How the text usually writes the term; an acronym ("CUBIC") wins when it is at least half the uses."""
    every = dict(cand.surfaces)
    for surface, n in cand.initial_surfaces.items():
        every[surface] = every.get(surface, 0) + n
    shouted = {s: n for s, n in every.items() if s.isupper() and len(s) > 1}
    if shouted and sum(shouted.values()) * 2 >= cand.count:
        return _most_common(shouted)
    if cand.surfaces:
        return _most_common(cand.surfaces)
    surface = _most_common(cand.initial_surfaces)
    first, _, rest = surface.partition(" ")
    if first.lower() in lower_words and not first.isupper():
        first = first.lower()
    return f"{first} {rest}".strip()


def _article(cand: _Candidate, text: str, definition: Definition | None) -> str:
    """The article the text puts before the term: as in its definition, else as in most of its uses.

    Only uses where the term is the whole phrase count ("the slow start threshold" says nothing of "slow start").
    """
    if definition is not None and definition.surface.lower() == text.lower():
        return definition.article
    votes = cand.head_articles or cand.articles
    total = sum(votes.values())
    # The text's usual article, if it uses one at least a third of the time ("the boundary", not "boundary").
    articles: dict[str, int] = {}
    for word, n in votes.items():
        if word in ARTICLES or word in _DETERMINERS:  # "its window" is a countable thing: "the window"
            _add(articles, word if word in ARTICLES else "the", n)
    if not articles or sum(articles.values()) * 3 < total:
        return ""
    best = _most_common(articles)
    return "" if best != "the" and text.lower().endswith("s") and not text.isupper() else best


def _add(counts: dict[str, int], key: str, n: int = 1) -> None:
    counts[key] = counts.get(key, 0) + n


def _most_common(counter: Mapping[str, int]) -> str:
    """The most frequent entry; ties go to the one seen first (dicts keep insertion order)."""
    best, best_n = "", -1
    for value, n in counter.items():
        if n > best_n:
            best, best_n = value, n
    return best


def _proper(text: str) -> bool:
    names = [w for w in text.split() if w not in JOINERS]
    return all(w[0].isupper() for w in names) and any(not w.isupper() for w in names)


def _copula(text: str, key: str, definition: Definition | None) -> str:
    """The verb a question about the term takes: the definition's, when it speaks of the term as written."""
    past = definition is not None and definition.verb in ("was", "were")
    if definition is not None and definition.verb in COPULAS and definition.surface.lower() == text.lower():
        plural = definition.verb in ("are", "were")
    else:
        last = text.rsplit(" ", 1)[-1].lower()
        plural = last != key.rsplit(" ", 1)[-1] and last.endswith("s")
    return ("were" if plural else "was") if past else ("are" if plural else "is")
