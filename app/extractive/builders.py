"""One function per artifact: quoted sentences arranged under the outline's sections, and fixed templates.

Every function returns plain data for ``validate_content``. ``app.extractive.recipes`` says which function builds
which type, and checks first that the text can fill it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.content.generator import GenerationInput
from app.content.models import Difficulty
from app.extractive import questions, quiz
from app.extractive.analysis import Analysis
from app.extractive.keyphrases import Keyphrase
from app.extractive.phrasebooks import phrasebook
from app.extractive.sections import MAX_SECTIONS, Section
from app.extractive.selection import (
    conclusion,
    key_concepts,
    overview,
    quote,
    summary,
    takeaways,
    terms,
)
from app.extractive.text import LINE_LIMIT, clip, title_case

MAX_KEY_POINTS = 3
MAX_OBJECTIVES = 6
_STUDY_SECTION_SENTENCES = 4
_BODY_SENTENCES_PER_SECTION = 2


def outline_content(analysis: Analysis, request: GenerationInput) -> dict[str, Any]:
    chosen = terms(analysis)
    subject = _subject(analysis, chosen)
    ordered = [subject, *(t for t in chosen if t.key != subject.key)] if subject else chosen
    count = min(max(3, len(analysis.sections)), MAX_OBJECTIVES, len(ordered))
    book = phrasebook(analysis.language)
    objectives = [
        book.objectives[n % len(book.objectives)].format(**questions.fields(analysis, t))
        for n, t in enumerate(ordered[:count])
    ]
    if request.topic and request.topic.strip():
        title = request.topic.strip()
    elif analysis.title:
        title = analysis.title
    elif subject:
        title = title_case(subject.phrase if subject.proper else subject.text, analysis.language)
    else:
        title = book.untitled
    return {
        "title": clip(title, LINE_LIMIT),
        "overview": quote(analysis, overview(analysis)),
        "learning_objectives": objectives,
        "sections": [
            _outline_section(analysis, number, section) for number, section in enumerate(analysis.sections, start=1)
        ],
        "difficulty": (request.difficulty or Difficulty.INTERMEDIATE).value,
    }


def _subject(analysis: Analysis, chosen: list[Keyphrase]) -> Keyphrase | None:
    """What the text is about: the term its first sentence defines, else the best term it mentions."""
    candidates = {t.key: t for t in chosen}
    for term in chosen:
        if term.definition == 0:
            return term
    for key in analysis.mentions[0] if analysis.mentions else ():
        if key in candidates:
            return candidates[key]
    return chosen[0] if chosen else None


def _outline_section(analysis: Analysis, number: int, section: Section) -> dict[str, Any]:
    # Sentences that stand alone first: a summary or key point that opens with "It" has lost its subject.
    ranked = sorted(section.sentences, key=lambda i: (not analysis.alone(i), -analysis.scores[i], i))
    head, rest = ranked[0], [i for i in ranked[1:] if analysis.alone(i)]
    points = sorted(rest[:MAX_KEY_POINTS]) or [head]
    return {
        "number": number,
        "title": section.title,
        "summary": analysis.standalone(head),
        "key_points": [analysis.standalone(i) for i in points],
    }


@dataclass(frozen=True, slots=True)
class Brief:
    """What one artifact is built to: the outline's sections and title, its controls, and the request's."""

    sections: Sequence[Section]
    title: str
    controls: dict[str, Any]
    difficulty: Difficulty | None = None


def study_guide(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    sections, title = brief.sections, brief.title
    return {
        "title": clip(phrasebook(analysis.language).study_guide_title.format(title=title), LINE_LIMIT),
        "overview": quote(analysis, overview(analysis)),
        "key_concepts": key_concepts(analysis),
        "sections": [
            {"title": s.title, "content": quote(analysis, analysis.best(s.sentences, _STUDY_SECTION_SENTENCES))}
            for s in sections
        ],
        "summary": quote(analysis, summary(analysis)),
    }


def one_pager(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    sections, title = brief.sections, brief.title
    summarised = summary(analysis)
    points = takeaways(analysis, summarised)
    body: list[int] = []
    for section in sections:
        fresh = [i for i in section.sentences if i not in summarised and analysis.sentences[i] not in points]
        body.extend(analysis.best(fresh or list(section.sentences), _BODY_SENTENCES_PER_SECTION))
    return {
        "title": clip(title, LINE_LIMIT),
        "summary": quote(analysis, summarised),
        "key_takeaways": points,
        "body": quote(analysis, sorted(set(body))),
    }


def detailed_reading(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    sections, title = brief.sections, brief.title
    opening = overview(analysis)
    closing = conclusion(analysis, opening)
    framed = set(opening) | set(closing)
    kept = list(sections[:MAX_SECTIONS])
    if len(sections) > MAX_SECTIONS:  # an outline from elsewhere: fold the tail into the last section
        tail = sorted({i for s in sections[MAX_SECTIONS - 1 :] for i in s.sentences})
        kept[-1] = Section(kept[-1].title, tuple(tail))
    return {
        "title": clip(title, LINE_LIMIT),
        "introduction": quote(analysis, opening),
        "sections": [
            {
                "title": s.title,
                "content": quote(analysis, [i for i in s.sentences if i not in framed] or list(s.sentences)),
            }
            for s in kept
        ],
        "conclusion": quote(analysis, closing),
    }


def faq(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    return {"items": questions.faq_items(analysis, int(brief.controls["count"]), brief.difficulty)}


def flashcards(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    return {"cards": questions.flashcards(analysis, int(brief.controls["count"]), brief.difficulty)}


def reading_questions(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    return {"questions": questions.reading_questions(analysis, int(brief.controls["count"]), brief.difficulty)}


def quiz_content(analysis: Analysis, brief: Brief) -> dict[str, Any]:
    return {"questions": quiz.quiz_questions(analysis, int(brief.controls["count"]), brief.difficulty)}
