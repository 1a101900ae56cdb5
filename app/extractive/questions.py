"""FAQ items, flashcards and reading questions: the phrasebook's templates over the text's key terms.

Each function returns every item the text can support, best first; a builder takes the first ``count``, and the
capacity check counts the same list, so a request that passes the check can always be served. ``difficulty``
changes the order, never the count: introductory readers get definitions and recall first, advanced readers causes,
comparisons, relations and application.

A reading question is chosen by what the sentence behind it does (``sentence_kind``): a definition, a cause, a
process, a comparison or a dated event each get their own templates. Every question carries a model answer
(the sentences that explain its term) and the passage it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from app.content.models import CardDifficulty, Difficulty, QuestionKind
from app.extractive.analysis import Analysis
from app.extractive.keyphrases import Keyphrase
from app.extractive.lexicon import words
from app.extractive.phrasebook import Phrasebook
from app.extractive.phrasebooks import phrasebook
from app.extractive.selection import defined_first, explanation, focused_first, reserved, support, terms
from app.extractive.text import LINE_LIMIT, join_within, normalised

SentenceKind = Literal["definition", "cause", "process", "comparison", "event", "statement"]
Slot = Literal["natural", "relation", "application", "evaluation"]

_EASY_WORDS = 25
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
# Which question each position asks, by difficulty: "natural" is the one the term's sentence suggests.
_SLOTS: dict[Difficulty | None, tuple[Slot, ...]] = {
    Difficulty.INTRODUCTORY: ("natural", "natural", "natural", "application"),
    Difficulty.INTERMEDIATE: ("natural", "relation", "application", "evaluation"),
    Difficulty.ADVANCED: ("relation", "evaluation", "natural", "application"),
    None: ("natural", "relation", "application", "evaluation"),
}
_NATURAL_KIND: dict[SentenceKind, QuestionKind] = {
    "definition": QuestionKind.RECALL,
    "event": QuestionKind.RECALL,
    "statement": QuestionKind.RECALL,
    "cause": QuestionKind.ANALYSIS,
    "process": QuestionKind.ANALYSIS,
    "comparison": QuestionKind.ANALYSIS,
}


def does(term: Keyphrase) -> str:
    """The auxiliary an English question about the term takes: "How do tectonic plates …", "How does ATP …"."""
    return "do" if term.copula in ("are", "were") else "does"


def fields(analysis: Analysis, term: Keyphrase, other: Keyphrase | None = None) -> dict[str, str]:
    """What a template may say about a term (see ``app.extractive.phrasebook``)."""
    english = analysis.language == "en"
    return {
        "term": term.text,
        "phrase": term.phrase if english else term.text,
        "copula": term.copula,
        "does": does(term),
        "other": "" if other is None else (other.phrase if english else other.text),
    }


def sentence_kind(analysis: Analysis, i: int, book: Phrasebook) -> SentenceKind:
    """What a sentence does, by its cue words: define, explain a cause, describe steps, compare, date an event."""
    if i in analysis.definition_sentences:
        return "definition"
    lowered = f" {' '.join(words(analysis.sentences[i])).lower()} "
    for kind, cues in (
        ("cause", book.cause_cues),
        ("comparison", book.comparison_cues),
        ("process", book.process_cues),
    ):
        if any(f" {cue} " in lowered for cue in cues):
            return kind  # type: ignore[return-value]
    return "event" if _YEAR.search(analysis.sentences[i]) else "statement"


def faq_items(analysis: Analysis, limit: int, difficulty: Difficulty | None = None) -> list[dict[str, str]]:
    """Up to ``limit`` questions, one per key term, answered by its definition (or best statement) and more."""
    book = phrasebook(analysis.language)
    chosen = terms(analysis) if difficulty is Difficulty.ADVANCED else defined_first(terms(analysis))
    chosen = focused_first(analysis, chosen)
    used = reserved(chosen)
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for term in chosen:
        if len(items) >= limit:
            break
        template = book.what_is if term.definition is not None else book.know_about
        question = template.format(**fields(analysis, term))
        quoted = support(analysis, term, explanation(analysis, term, used), used)
        answer = join_within([analysis.sentences[i] for i in quoted])
        key = normalised(question)
        if key in seen or normalised(answer) == key:
            continue
        seen.add(key)
        used.update(quoted)
        items.append({"question": question, "answer": answer})
    return items


def flashcards(analysis: Analysis, limit: int, difficulty: Difficulty | None = None) -> list[dict[str, str]]:
    """Up to ``limit`` cards, one per key term: a definition question (easy) or a fill-in-the-blank sentence
    (medium, or hard when the sentence is long). Introductory readers get the definitions first; advanced readers the
    blanks first, in sentences that explain causes, steps or comparisons."""
    book = phrasebook(analysis.language)
    chosen = defined_first(terms(analysis))
    if difficulty is Difficulty.ADVANCED:
        chosen = [t for t in chosen if t.definition is None] + [t for t in chosen if t.definition is not None]
    chosen = focused_first(analysis, chosen)
    used = reserved(chosen)
    cards: list[dict[str, str]] = []
    seen: set[str] = set()
    for term in chosen:
        if len(cards) >= limit:
            break
        at = explanation(analysis, term, used)
        sentence = analysis.sentences[at]
        defined = term.definition is not None and difficulty is not Difficulty.ADVANCED
        blank = None if defined else _cloze(sentence, term, book)
        if defined or (blank is None and term.definition is not None):
            front, back, level = book.what_is.format(**fields(analysis, term)), sentence, CardDifficulty.EASY
        elif blank is not None:
            front, back = blank, term.text[:1].upper() + term.text[1:]
            level = CardDifficulty.MEDIUM if len(words(sentence)) <= _EASY_WORDS else CardDifficulty.HARD
        else:
            front, back, level = book.says_about.format(**fields(analysis, term)), sentence, CardDifficulty.HARD
        key = normalised(front)
        if key in seen or normalised(back) == key:
            continue
        seen.add(key)
        used.add(at)
        cards.append({"front": front, "back": back, "difficulty": level.value})
    return cards


def _cloze(sentence: str, term: Keyphrase, book: Phrasebook) -> str | None:
    """The sentence with the term blanked out wherever it is written as the term is (None if nowhere, or if the
    term is too slight to be worth a blank: a word of three letters that is not an acronym)."""
    if len(term.text) <= 3 and not term.text.isupper():
        return None
    pattern = re.compile(rf"(?<![\w-]){re.escape(term.text)}(?![\w-])", flags=re.IGNORECASE)
    blanked, found = pattern.subn("_____", sentence)
    front = book.cloze.format(sentence=blanked)
    return front if found and len(front) <= LINE_LIMIT else None


def reading_questions(analysis: Analysis, limit: int, difficulty: Difficulty | None = None) -> list[dict[str, Any]]:
    """Up to ``limit`` questions, one per key term, each with a model answer and the passage it comes from."""
    book = phrasebook(analysis.language)
    chosen = terms(analysis)
    if difficulty is Difficulty.INTRODUCTORY:
        chosen = defined_first(chosen)
    chosen = focused_first(analysis, chosen)
    slots = _SLOTS[difficulty]
    used = reserved(chosen)
    position = {t.key: n for n, t in enumerate(chosen)}
    turns: dict[str, int] = {}
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for term in chosen:
        if len(questions) >= limit:
            break
        at = explanation(analysis, term, used)
        slot = slots[len(questions) % len(slots)]
        other = _partner(analysis, term, chosen, position)
        question, kind, evidence = _ask(analysis, book, term, other, at, slot, turns)
        key = normalised(question)
        if key in seen:
            continue
        seen.add(key)
        quoted = support(analysis, term, at, used) if slot != "relation" else evidence
        used.update(quoted)
        questions.append(
            {
                "question": question,
                "kind": kind.value,
                "answer": join_within([analysis.sentences[i] for i in quoted]),
                "passage": join_within([analysis.sentences[i] for i in _passage(analysis, evidence)]),
            }
        )
    return questions


def _ask(
    analysis: Analysis,
    book: Phrasebook,
    term: Keyphrase,
    other: Keyphrase,
    at: int,
    slot: Slot,
    turns: dict[str, int],
) -> tuple[str, QuestionKind, list[int]]:
    """The question for a slot, its kind, and the sentences that answer it."""
    if slot == "relation" and other.key != term.key:
        together = [i for i in term.sentences if other.key in analysis.mentions[i]]
        templates: Sequence[str] = book.relation_questions
        kind, evidence = QuestionKind.ANALYSIS, (together[:2] or [at])
        name = "relation"
    elif slot == "application":
        templates, kind, evidence, name = book.application_questions, QuestionKind.APPLICATION, [at], slot
    elif slot == "evaluation":
        templates, kind, evidence, name = book.evaluation_questions, QuestionKind.EVALUATION, [at], slot
    else:
        name = sentence_kind(analysis, at, book)
        kind, evidence = _NATURAL_KIND[name], [at]
        templates = {
            "definition": book.definition_questions,
            "cause": book.cause_questions,
            "process": book.process_questions,
            "comparison": book.comparison_questions if other.key != term.key else book.definition_questions,
            "event": book.event_questions,
            "statement": book.definition_questions if term.definition is not None else (book.says_about,),
        }[name]
    turn = turns.get(name, 0)
    turns[name] = turn + 1
    return templates[turn % len(templates)].format(**fields(analysis, term, other)), kind, evidence


def _passage(analysis: Analysis, evidence: Sequence[int]) -> list[int]:
    """The evidence with the sentence before it, when that is in the same paragraph: the passage to reread."""
    first = min(evidence)
    before = [first - 1] if first > 0 and analysis.paragraph_of[first - 1] == analysis.paragraph_of[first] else []
    return sorted({*before, *evidence})


def _partner(analysis: Analysis, term: Keyphrase, chosen: list[Keyphrase], position: dict[str, int]) -> Keyphrase:
    """The term that shares most sentences with this one (and no words), else the next distinct term."""
    eligible = {t.key: t for t in chosen if t.key != term.key}
    stems = set(term.key.split())
    together: dict[str, int] = {}
    for i in term.sentences:
        for key in analysis.mentions[i]:
            if key in eligible and not stems & set(key.split()):
                together[key] = together.get(key, 0) + 1
    if together:
        return eligible[max(together, key=lambda key: (together[key], -position[key]))]
    distinct = [t for t in eligible.values() if not stems & set(t.key.split())]
    return (distinct or list(eligible.values()) or [term])[0]
