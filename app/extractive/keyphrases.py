"""Key terms of a text: YAKE's candidates (``yake-rust``), kept when they are worth teaching, named as the text
names them.

YAKE ranks the one- to three-word phrases of the text by how a key term behaves: frequent, early, spread over
many sentences, capitalised, with steady neighbours. It knows nothing of grammar, so what it proposes is then
judged here, per language, as a teacher would: a term is a noun phrase (no conjugated verb in it; in German it
ends with a capitalised noun; in English it is not led by "to" or "which"), it occurs at least twice or the
text defines it, and a single word that the text mostly uses inside a longer term ("carbon" in "carbon
dioxide") is left to that term. Every occurrence is then found again in the sentences, by lemma, so a term's
count, sentences and usual spelling are the text's own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from yake_rust import Yake

from app.extractive.definitions import COPULAS, Definition, find_definitions
from app.extractive.lexicon import DETERMINERS, MEASURES, is_content, lemma, listed, stopwords, verb_like, words
from app.extractive.lexicon import GENERIC as GENERIC_WORDS
from app.extractive.stopwords import ARTICLES, GENERIC

CANDIDATES = 150  # YAKE's best phrases considered per text, and one more per ten words of it (up to MAX_CANDIDATES)
MAX_CANDIDATES = 2_000
MAX_WORDS = 3
MAX_NAME_WORDS = 6  # "Declaration of the Rights of Man"
_NAME_JOINERS = frozenset(("of", "the"))
# Words that, before a run, show it starts with a verb: "to build sugar", "which makes ATP".
_VERB_CUES = listed("to can could may might must shall should will would cannot that which who they it we he she i you")
# Determiners that, like "the", show a countable thing: "its window" -> "the window".
_DETERMINERS = frozenset(("its", "their", "this", "that", "these", "those", "his", "her", "our", "each", "every"))


@dataclass(frozen=True, slots=True)
class Keyphrase:
    key: str  # the lemmas of its words, lower case: the identity of the term
    text: str  # as the text usually writes it: "Calvin cycle"
    article: str  # English: what the text usually puts before it ("the", "a", "an" or "")
    score: float
    count: int
    sentences: tuple[int, ...]  # where it occurs, in order
    definition: int | None  # a sentence that defines it ("X is a …", "On appelle X …")
    copula: str  # English: "is", "are", "was" or "were", how a question about it reads; else ""
    proper: bool  # a name: every word capitalised inside sentences (never said of German nouns)

    @property
    def phrase(self) -> str:
        """The term as a sentence would mention it: "the Calvin cycle"."""
        return f"{self.article} {self.text}" if self.article else self.text


@dataclass(slots=True)
class _Found:
    words: int
    rank: int  # YAKE's: 0 is its best
    count: int = 0
    first: tuple[int, int] = (0, 0)
    sentences: list[int] = field(default_factory=list)
    surfaces: dict[str, int] = field(default_factory=dict)  # as written inside sentences
    initial_surfaces: dict[str, int] = field(default_factory=dict)  # as written at a sentence's start
    before: dict[str, int] = field(default_factory=dict)  # the word before each occurrence
    heads: int = 0  # occurrences not followed by another content word: the head of its phrase
    name: bool = False  # a run of capitalised words the text writes as a name
    covered: int = 0  # occurrences inside an occurrence of a longer kept term


def key_of(tokens: Sequence[str], language: str) -> str:
    return " ".join(lemma(t, language) for t in tokens)


def extract(
    sentences: Sequence[str], headings: Sequence[str] = (), language: str = "en"
) -> tuple[list[Keyphrase], list[list[str]]]:
    """Ranked key terms of the sentences, and the key terms each sentence mentions, in order.

    A term that a heading names is one of the text's topics, and counts double.
    """
    tokens = [words(s) for s in sentences]
    proposed = _proposed(sentences, tokens, language)
    lemmas = [[lemma(t, language) for t in sentence] for sentence in tokens]
    longest = max((found.words for found in proposed.values()), default=1)
    spots: dict[str, list[tuple[int, int, int]]] = {key: [] for key in proposed}
    for i, sentence in enumerate(tokens):
        for start in range(len(sentence)):
            for size in range(1, longest + 1):
                end = start + size
                if end > len(sentence):
                    break
                key = " ".join(lemmas[i][start:end])
                found = proposed.get(key)
                if found is not None:
                    _count(found, sentence, i, start, end, language)
                    spots[key].append((i, start, end))
    definitions = find_definitions(sentences, proposed, lambda ws: key_of(ws, language), language)
    named = {key_of(words(h)[a:b], language) for h in headings for a in range(8) for b in range(a + 1, a + 4)}
    kept = {key: found for key, found in proposed.items() if _acceptable(key, found, definitions.get(key), language)}
    names = {key: found for key, found in proposed.items() if found.name}  # a name covers its words, once seen
    _leave_nested_words(kept, {**names, **kept}, spots)
    lower_words = {t for sentence in tokens for t in sentence[1:] if t.islower()}
    ranked: list[Keyphrase] = []
    for key, found in kept.items():
        definition = definitions.get(key)
        if found.covered * 3 >= found.count * 2 and definition is None:
            continue  # "carbon" is nearly always "carbon dioxide": the longer term teaches it
        score = _merit(found, definition is not None, key in named)
        text = _display(found, lower_words)
        defined_as = definition.surface if definition is not None else ""
        if defined_as.lower() != text.lower() and key_of(words(defined_as), language) == key:
            text = _as_defined(defined_as, lower_words)  # "Sorting is …": the term is "sorting", not "sort"
        english = language == "en"
        ranked.append(
            Keyphrase(
                key=key,
                text=text,
                article=_article(found, text, definition) if english else "",
                score=round(score, 6),
                count=found.count,
                sentences=tuple(found.sentences),
                definition=None if definition is None else definition.sentence,
                copula=_copula(text, key, definition) if english else "",
                proper=language != "de" and _proper(text),
            )
        )
    ranked.sort(key=lambda k: (-k.score, kept[k.key].first, k.key))
    placed: list[list[tuple[int, str]]] = [[] for _ in sentences]
    for term in ranked:
        for i, start, _ in spots[term.key]:
            placed[i].append((start, term.key))
    return ranked, [list(dict.fromkeys(key for _, key in sorted(at))) for at in placed]  # in the order written


def _merit(found: _Found, defined: bool, named: bool) -> float:
    """How much a term is worth teaching: how often the text uses it (damped, so that "cells" does not drown
    "vaccination"), how highly YAKE ranks it, whether it is a phrase rather than a word, and double when the
    text defines it or a heading names it."""
    relevance = 1.0 + 1.0 / (1.0 + found.rank / 25.0)
    phrase = (1.0, 1.0, 1.4, 1.6)[min(found.words, 3)]
    return math.log2(1 + found.count) * relevance * phrase * (2.0 if defined else 1.0) * (2.0 if named else 1.0)


def _proposed(sentences: Sequence[str], tokens: Sequence[list[str]], language: str) -> dict[str, _Found]:
    """YAKE's candidates, by key, each at its best rank, none that starts or ends with a stopword or a number;
    and in English the names the text writes in capitals inside its sentences ("the Third Estate", "the Reign of
    Terror"), which YAKE cuts at their stopwords."""
    extractor = Yake(language=language if language in ("en", "de", "fr", "es") else "en", ngrams=MAX_WORDS)
    size = sum(len(t) for t in tokens)
    wanted = min(MAX_CANDIDATES, CANDIDATES + size // 10)
    proposed: dict[str, _Found] = {}
    for rank, (surface, _) in enumerate(extractor.get_n_best("\n".join(sentences), n=wanted)):
        parts = words(surface)
        if not 1 <= len(parts) <= MAX_WORDS or not (_content(parts[0], language) and _content(parts[-1], language)):
            continue
        key = key_of(parts, language)
        if key and key not in proposed:
            proposed[key] = _Found(words=len(parts), rank=rank)
    if language == "en":
        for name in _names(tokens):
            key = key_of(name.split(), language)
            if key not in proposed:
                proposed[key] = _Found(words=len(name.split()), rank=len(proposed) // 2, name=True)
    return proposed


def _names(tokens: Sequence[list[str]]) -> dict[str, int]:
    """Runs of two or more capitalised words inside sentences, joined by "of", "the" or "and", and how often
    each occurs."""
    seen: dict[str, int] = {}
    for sentence in tokens:
        run: list[str] = []
        for position, token in enumerate([*sentence, ""]):
            capital = position > 0 and token[:1].isupper() and not token.isupper()
            if capital or (run and token.lower() in _NAME_JOINERS):
                run.append(token)
                continue
            while run and run[-1].lower() in _NAME_JOINERS:
                run.pop()
            if len([w for w in run if w.lower() not in _NAME_JOINERS]) >= 2 and len(run) <= MAX_NAME_WORDS:
                _add(seen, " ".join(run))
            run = []
    return seen


def _content(token: str, language: str) -> bool:
    return is_content(token, 1, language) and token.lower() not in stopwords(language)


def _count(found: _Found, sentence: list[str], i: int, start: int, end: int, language: str) -> None:
    if found.count == 0:
        found.first = (i, start)
    found.count += 1
    if not found.sentences or found.sentences[-1] != i:
        found.sentences.append(i)
    surface = " ".join(sentence[start:end])
    _add(found.surfaces if start > 0 else found.initial_surfaces, surface)
    _add(found.before, sentence[start - 1].lower() if start > 0 else "")
    if end == len(sentence) or not is_content(sentence[end], end, language):
        found.heads += 1


def _leave_nested_words(
    kept: dict[str, _Found], covering: dict[str, _Found], spots: Mapping[str, list[tuple[int, int, int]]]
) -> None:
    """Count, for each kept term, the occurrences that sit inside an occurrence of a longer covering term."""
    longest: dict[tuple[int, int], int] = {}  # (sentence, word) -> the most words of a term covering it
    for key, found in covering.items():
        for i, start, end in spots[key]:
            for at in range(start, end):
                longest[(i, at)] = max(longest.get((i, at), 0), found.words)
    for key, found in kept.items():
        found.covered = sum(1 for i, start, _ in spots[key] if longest.get((i, start), 0) > found.words)


def _acceptable(key: str, found: _Found, definition: Definition | None, language: str) -> bool:
    if found.count == 0 or (found.count < 2 and definition is None):
        return False
    if found.words == 1 and (key in MEASURES.get(language, frozenset()) or key in GENERIC_WORDS.get(language, ())):
        return False  # "Prozent", "années": a measure, not a concept; "Weise", "manera": too general
    surface = _most_common(found.surfaces or found.initial_surfaces).split()
    if language == "de":
        # A German term is a noun phrase: it ends with a (capitalised) noun, and no lower-case word in it is a verb.
        written = _most_common(found.surfaces) if found.surfaces else " ".join(surface)
        last = written.split()[-1] if written else ""
        return last[:1].isupper() and not any(verb_like(w, language) for w in written.split()[:-1])
    if language in ("fr", "es"):
        # A noun phrase, which a determiner opens ("la machine à vapeur", "el sistema solar"); adjectives
        # ("nouvelles", "pequeños") and infinitives ("formar") rarely follow one. Names need none ("France").
        if any(verb_like(w, language) for w in surface):
            return False
        determined = sum(n for word, n in found.before.items() if word in DETERMINERS[language])
        return definition is not None or surface[:1][0][:1].isupper() or determined * 3 >= found.count
    if language != "en":
        return True
    return _acceptable_in_english(key, found, definition is not None, surface)


def _acceptable_in_english(key: str, found: _Found, defined: bool, surface: list[str]) -> bool:
    if found.words == 1 and key in GENERIC:
        return False
    if defined:
        return True
    verb_cued = sum(n for word, n in found.before.items() if word in _VERB_CUES)
    if verb_cued * 2 > found.count:
        return False
    if found.words == 1:
        # A lone word must be the head of a phrase somewhere ("the French" only ever modifies a noun),
        # and not a past-tense verb ("abolished").
        headed = found.heads >= 2 or found.heads * 3 >= found.count
        return headed and not _past_tense(surface[0] if surface else key)
    if _past_tense(surface[-1] if surface else key.split()[-1]):
        return False
    return not any(_plural_modifier(word) for word in surface[:-1])  # "releases oxygen": a verb first


def _past_tense(word: str) -> bool:
    return word.endswith("ed") and not word.endswith("eed") and len(word) > 4 and word[0].islower()


def _plural_modifier(word: str) -> bool:
    lower = word.lower()
    return lower != lemma(lower) and lower.endswith("s") and not word.isupper() and "-" not in word


def _display(found: _Found, lower_words: set[str]) -> str:
    """How the text usually writes the term; an acronym ("CUBIC") wins when it is at least half the uses."""
    every = dict(found.surfaces)
    for surface, n in found.initial_surfaces.items():
        every[surface] = every.get(surface, 0) + n
    shouted = {s: n for s, n in every.items() if s.isupper() and len(s) > 1}
    if shouted and sum(shouted.values()) * 2 >= found.count:
        return _most_common(shouted)
    if found.surfaces:
        return _most_common(found.surfaces)
    return _as_defined(_most_common(found.initial_surfaces), lower_words)


def _as_defined(surface: str, lower_words: set[str]) -> str:
    """A term as a sentence opens with it, lower-cased where only its place made it a capital ("Sorting is …")."""
    first, _, rest = surface.partition(" ")
    if first.lower() in lower_words and not first.isupper():
        first = first.lower()
    return f"{first} {rest}".strip()


def _article(found: _Found, text: str, definition: Definition | None) -> str:
    """The article the text puts before the term: as in its definition, else as in most of its uses."""
    if definition is not None and definition.surface.lower() == text.lower():
        return definition.article
    total = sum(found.before.values())
    articles: dict[str, int] = {}
    for word, n in found.before.items():
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
    names = [w for w in text.split() if w.lower() not in ("of", "the")]
    return bool(names) and all(w[0].isupper() for w in names) and any(not w.isupper() for w in names)


def _copula(text: str, key: str, definition: Definition | None) -> str:
    """The verb a question about the term takes: the definition's, when it speaks of the term as written."""
    past = definition is not None and definition.verb in ("was", "were")
    if definition is not None and definition.verb in COPULAS and definition.surface.lower() == text.lower():
        plural = definition.verb in ("are", "were")
    else:
        last = text.rsplit(" ", 1)[-1].lower()
        plural = last != key.rsplit(" ", 1)[-1] and last.endswith("s")
    return ("were" if plural else "was") if past else ("are" if plural else "is")
