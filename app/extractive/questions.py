"""FAQ items, flashcards and reading questions: fixed question templates over the text's key terms.

Each function returns every item the text can support, best first; a builder takes the first ``count``, and
the capacity check counts the same list, so a request that passes the check can always be served.
"""

from __future__ import annotations

import re
from typing import Any

from app.content.models import CardDifficulty, QuestionKind
from app.extractive.analysis import Analysis
from app.extractive.keyphrases import Keyphrase
from app.extractive.lexicon import words
from app.extractive.selection import defined_first, explanation, reserved, support, terms
from app.extractive.text import LINE_LIMIT, join_within, normalised

_KINDS = (QuestionKind.RECALL, QuestionKind.ANALYSIS, QuestionKind.APPLICATION, QuestionKind.EVALUATION)
_APPLICATION = (
    "How could the idea of {p} be applied to a situation the text does not discuss?",
    "What present-day example can you connect to {p}, and how?",
)
_EVALUATION = (
    "How convincing is the text's account of {p}, and why?",
    "What are the strengths and limits of the text's explanation of {p}?",
)
_EASY_WORDS = 25


def does(term: Keyphrase) -> str:
    """The auxiliary a question about the term takes: "How do tectonic plates …", "How does ATP …"."""
    return "do" if term.copula in ("are", "were") else "does"


def _what(term: Keyphrase) -> str:
    return f"What {term.copula} {term.phrase}?"


def faq_items(analysis: Analysis, limit: int) -> list[dict[str, str]]:
    """Up to ``limit`` questions, one per key term, answered by its definition (or best statement) and more."""
    chosen = defined_first(terms(analysis))
    used = reserved(chosen)
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for term in chosen:
        if len(items) >= limit:
            break
        question = _what(term) if term.definition is not None else f"What should I know about {term.phrase}?"
        quoted = support(analysis, term, explanation(analysis, term, used), used)
        answer = join_within([analysis.sentences[i] for i in quoted])
        key = normalised(question)
        if key in seen or normalised(answer) == key:
            continue
        seen.add(key)
        used.update(quoted)
        items.append({"question": question, "answer": answer})
    return items


def flashcards(analysis: Analysis, limit: int) -> list[dict[str, str]]:
    """Up to ``limit`` cards, one per key term: a definition question (easy) or a fill-in-the-blank sentence
    (medium, or hard when the sentence is long)."""
    chosen = defined_first(terms(analysis))
    used = reserved(chosen)
    cards: list[dict[str, str]] = []
    seen: set[str] = set()
    for term in chosen:
        if len(cards) >= limit:
            break
        at = explanation(analysis, term, used)
        sentence = analysis.sentences[at]
        blank = None if term.definition is not None else _cloze(sentence, term)
        if term.definition is not None:
            front, back, difficulty = _what(term), sentence, CardDifficulty.EASY
        elif blank is not None:
            front, back = blank, term.text[:1].upper() + term.text[1:]
            difficulty = CardDifficulty.MEDIUM if len(words(sentence)) <= _EASY_WORDS else CardDifficulty.HARD
        else:
            front, back, difficulty = f"What does the text say about {term.phrase}?", sentence, CardDifficulty.HARD
        key = normalised(front)
        if key in seen or normalised(back) == key:
            continue
        seen.add(key)
        used.add(at)
        cards.append({"front": front, "back": back, "difficulty": difficulty.value})
    return cards


def _cloze(sentence: str, term: Keyphrase) -> str | None:
    """The sentence with the term blanked out wherever it is written as the term is (None if nowhere)."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(term.text)}(?![\w-])", flags=re.IGNORECASE)
    blanked, found = pattern.subn("_____", sentence)
    front = f"Fill in the blank: {blanked}"
    return front if found and len(front) <= LINE_LIMIT else None


def reading_questions(analysis: Analysis, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` questions, one per key term; the kinds take turns (recall, analysis, application, …)."""
    chosen = terms(analysis)
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    position = {t.key: n for n, t in enumerate(chosen)}
    for term in chosen:
        if len(questions) >= limit:
            break
        kind = _KINDS[len(questions) % len(_KINDS)]
        turn = len(questions) // len(_KINDS)
        if kind is QuestionKind.RECALL:
            if term.definition is not None:
                question = f"How does the text define {term.phrase}?"
            else:
                question = f"What does the text say about {term.phrase}?"
        elif kind is QuestionKind.ANALYSIS:
            partner = _partner(analysis, term, chosen, position)
            question = f"How {does(term)} {term.phrase} relate to {partner.phrase}?"
        elif kind is QuestionKind.APPLICATION:
            question = _APPLICATION[turn % len(_APPLICATION)].format(p=term.phrase)
        else:
            question = _EVALUATION[turn % len(_EVALUATION)].format(p=term.phrase)
        key = normalised(question)
        if key in seen:
            continue
        seen.add(key)
        questions.append({"question": question, "kind": kind.value})
    return questions


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
