"""Markdown to read: every artifact type as headings, paragraphs and lists, evidence quoted with its location.

Generated text is plain text, so whatever in it Markdown would read as markup (emphasis, links, raw HTML, a
line that would start a list or a heading) is escaped with a backslash: a renderer shows it as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from app.content.catalogue import ArtifactType
from app.content.grounding import Evidence
from app.content.models import (
    DetailedReading,
    Faq,
    Flashcards,
    OnePager,
    Outline,
    PodcastScript,
    Quiz,
    ReadingQuestions,
    StudyGuide,
)
from app.exports.formats import Format, JobArtifact, location

MEDIA_TYPE = "text/markdown; charset=utf-8"
LETTERS = "ABCDE"  # a quiz question has at most five options

_INLINE = re.compile(r"([\\`*_\[\]<])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_MARK = re.compile(r"^([#>+=~-])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def escaped(text: str) -> str:
    """Plain text as Markdown that renders as that text; each line starts at the margin (indentation would make
    a code block)."""
    lines = []
    for line in text.splitlines():
        line = _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", line.strip()))
        lines.append(_ORDERED.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", line)))
    return "\n".join(lines)


def _item(marker: str, text: str) -> str:
    """A list item whose text may run over several lines or paragraphs (continuations indented under it)."""
    first, *rest = escaped(text).split("\n")
    indent = " " * (len(marker) + 1)
    return "\n".join([f"{marker} {first}", *(f"{indent}{line}" if line else "" for line in rest)])


def _list(texts: Sequence[str]) -> str:
    return "\n".join(_item("-", text) for text in texts)


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {escaped(' '.join(text.split()))}"


def _quotes(evidence: Sequence[Evidence]) -> list[str]:
    blocks = []
    for passage in evidence:
        lines = [f"> {line}" if line else ">" for line in escaped(passage.quote).split("\n")]
        blocks.append("\n".join([*lines, ">", f"> — {location(passage)}"]))
    return blocks


def _outline(item: JobArtifact) -> list[str]:
    outline = item.content_as(Outline)
    blocks = [_heading(1, outline.title), escaped(outline.overview), f"*Difficulty: {outline.difficulty.value}*"]
    blocks += [_heading(2, "Learning objectives"), _list(outline.learning_objectives)]
    for section in outline.sections:
        blocks += [_heading(2, f"{section.number}. {section.title}"), escaped(section.summary)]
        blocks.append(_list(section.key_points))
    return blocks


def _podcast_script(item: JobArtifact) -> list[str]:
    script = item.content_as(PodcastScript)
    minutes = f"{script.estimated_minutes:g}"
    blocks = [_heading(1, script.title), f"*About {minutes} minutes*", _heading(2, "Speakers")]
    blocks.append("\n".join(f"- **{escaped(s.name)}**: {escaped(s.role)}" for s in script.speakers))
    blocks.append(_heading(2, "Script"))
    blocks += [f"**{escaped(segment.speaker)}:** {escaped(segment.text)}" for segment in script.segments]
    return blocks


def _study_guide(item: JobArtifact) -> list[str]:
    guide = item.content_as(StudyGuide)
    blocks = [_heading(1, guide.title), escaped(guide.overview), _heading(2, "Key concepts")]
    for concept in guide.key_concepts:
        blocks += [_heading(3, concept.term), escaped(concept.explanation), *_quotes(concept.evidence)]
    for section in guide.sections:
        blocks += [_heading(2, section.title), escaped(section.content)]
    return [*blocks, _heading(2, "Summary"), escaped(guide.summary)]


def _one_pager(item: JobArtifact) -> list[str]:
    page = item.content_as(OnePager)
    blocks = [_heading(1, page.title), escaped(page.summary)]
    return [
        *blocks,
        _heading(2, "Key takeaways"),
        _list(page.key_takeaways),
        _heading(2, "In detail"),
        escaped(page.body),
    ]


def _detailed_reading(item: JobArtifact) -> list[str]:
    reading = item.content_as(DetailedReading)
    blocks = [_heading(1, reading.title), _heading(2, "Introduction"), escaped(reading.introduction)]
    for section in reading.sections:
        blocks += [_heading(2, section.title), escaped(section.content)]
    return [*blocks, _heading(2, "Conclusion"), escaped(reading.conclusion)]


def _faq(item: JobArtifact) -> list[str]:
    faq = item.content_as(Faq)
    blocks = [_heading(1, item.heading("Frequently asked questions"))]
    for entry in faq.items:
        blocks += [_heading(2, entry.question), escaped(entry.answer), *_quotes(entry.evidence)]
    return blocks


def _flashcards(item: JobArtifact) -> list[str]:
    cards = item.content_as(Flashcards)
    blocks = [_heading(1, item.heading("Flashcards"))]
    for number, card in enumerate(cards.cards, start=1):
        blocks += [_heading(2, f"Card {number}"), f"**Front:** {escaped(card.front)}"]
        blocks += [f"**Back:** {escaped(card.back)}", f"*Difficulty: {card.difficulty.value}*"]
        blocks += _quotes(card.evidence)
    return blocks


def _reading_questions(item: JobArtifact) -> list[str]:
    questions = item.content_as(ReadingQuestions)
    blocks = [_heading(1, item.heading("Reading questions"))]
    for number, question in enumerate(questions.questions, start=1):
        blocks += [_heading(2, f"{number}. {question.question}"), f"*Kind: {question.kind.value}*"]
        if question.passage is not None:
            blocks += [f"**Passage:** {escaped(question.passage)}"]
        if question.answer is not None:
            blocks += [f"**Model answer:** {escaped(question.answer)}"]
        blocks += _quotes(question.evidence)
    return blocks


def _quiz(item: JobArtifact) -> list[str]:
    quiz = item.content_as(Quiz)
    blocks = [_heading(1, item.heading("Quiz"))]
    for number, question in enumerate(quiz.questions, start=1):
        blocks += [_heading(2, f"Question {number}"), escaped(question.question)]
        blocks.append("\n".join(_item(f"- {LETTERS[i]}.", option) for i, option in enumerate(question.options)))
    blocks.append(_heading(2, "Answers"))
    for number, question in enumerate(quiz.questions, start=1):
        letter, answer = LETTERS[question.answer_index], question.options[question.answer_index]
        blocks += [f"**{number}. {letter}: {escaped(answer)}** ({question.difficulty.value})"]
        blocks += [escaped(question.explanation), *_quotes(question.evidence)]
    return blocks


RENDERERS: dict[ArtifactType, Callable[[JobArtifact], list[str]]] = {
    ArtifactType.OUTLINE: _outline,
    ArtifactType.PODCAST_SCRIPT: _podcast_script,
    ArtifactType.STUDY_GUIDE: _study_guide,
    ArtifactType.ONE_PAGER: _one_pager,
    ArtifactType.DETAILED_READING: _detailed_reading,
    ArtifactType.FAQ: _faq,
    ArtifactType.FLASHCARDS: _flashcards,
    ArtifactType.READING_QUESTIONS: _reading_questions,
    ArtifactType.QUIZ: _quiz,
}


def render(item: JobArtifact) -> bytes:
    return ("\n\n".join(RENDERERS[item.artifact](item)) + "\n").encode("utf-8")


MARKDOWN = Format(name="md", media_type=MEDIA_TYPE, extension="md", offers=RENDERERS.__contains__, render=render)
