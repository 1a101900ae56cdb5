"""The offline engine's part of each artifact type: how to build it, and what it needs from the text.

Every type in the catalogue other than the outline (which everything else is arranged under) has a recipe here;
``missing`` names the types that lack one, and the engine refuses to start while any does. Adding a type to the
offline engine: a builder in ``builders.py`` (or its own module), its needs in ``capacity.py``, an entry below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.content.catalogue import ArtifactType, artifact_types, spec_of
from app.content.generator import GenerationInput
from app.content.models import Outline
from app.extractive import builders, capacity, questions, quiz
from app.extractive.analysis import Analysis
from app.extractive.builders import Brief
from app.extractive.capacity import Needs, Shortfall, SourceTooShort, merged, outline_needs
from app.extractive.podcast import podcast_script
from app.extractive.sections import sections_for
from app.extractive.steering import steered

Builder = Callable[[Analysis, Brief], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Recipe:
    build: Builder  # content under the outline's sections, from the analysis
    needs: Needs  # what the text must offer beyond the outline's needs


RECIPES: dict[ArtifactType, Recipe] = {
    ArtifactType.PODCAST_SCRIPT: Recipe(podcast_script, capacity.nothing_more),
    ArtifactType.STUDY_GUIDE: Recipe(builders.study_guide, capacity.study_guide_needs),
    ArtifactType.ONE_PAGER: Recipe(builders.one_pager, capacity.one_pager_needs),
    ArtifactType.DETAILED_READING: Recipe(builders.detailed_reading, capacity.nothing_more),
    ArtifactType.FAQ: Recipe(builders.faq, capacity.counted_needs(questions.faq_items, "FAQ items", "to ask about")),
    ArtifactType.FLASHCARDS: Recipe(
        builders.flashcards, capacity.counted_needs(questions.flashcards, "flashcards", "to put on cards")
    ),
    ArtifactType.READING_QUESTIONS: Recipe(
        builders.reading_questions,
        capacity.counted_needs(questions.reading_questions, "reading questions", "to ask about"),
    ),
    ArtifactType.QUIZ: Recipe(
        builders.quiz_content,
        capacity.counted_needs(quiz.quiz_questions, "quiz questions", "with three distractors of their kind"),
    ),
}


_BY_DIFFICULTY = frozenset(
    {
        ArtifactType.OUTLINE,
        ArtifactType.FLASHCARDS,
        ArtifactType.FAQ,
        ArtifactType.READING_QUESTIONS,
        ArtifactType.QUIZ,
    }
)


def honoured(artifact: ArtifactType) -> frozenset[str]:
    """The controls the offline engine acts on for an artifact type (``Generator.honoured``)."""
    acted = {"focus", *spec_of(artifact).defaults()}
    if artifact in _BY_DIFFICULTY:
        acted.add("difficulty")
    return frozenset(acted)


def missing() -> list[ArtifactType]:
    """Catalogue types the offline engine has no recipe for."""
    return [a for a in artifact_types() if a is not ArtifactType.OUTLINE and a not in RECIPES]


def shortfalls(analysis: Analysis, artifact: ArtifactType, controls: dict[str, Any]) -> list[Shortfall]:
    """What this text lacks for one artifact; the outline's needs count for every artifact."""
    found = outline_needs(analysis)
    if artifact is not ArtifactType.OUTLINE:
        found = merged([found, RECIPES[artifact].needs(analysis, artifact, _with_defaults(artifact, controls))])
    return found


def build(
    artifact: ArtifactType,
    analysis: Analysis,
    controls: dict[str, Any],
    outline: Outline | None,
    request: GenerationInput,
) -> dict[str, Any]:
    """Content for one artifact; the outline (built from the text when not given) sets the sections."""
    controls = _with_defaults(artifact, controls)
    problems = shortfalls(analysis, artifact, controls)
    if problems:
        raise SourceTooShort(problems)
    analysis = steered(analysis, request.focus)
    if artifact is ArtifactType.OUTLINE:
        return builders.outline_content(analysis, request)
    if outline is None:
        outline = Outline.model_validate(builders.outline_content(analysis, request))
    sections = sections_for(analysis, outline)
    brief = Brief(sections, outline.title, controls, request.difficulty)
    return RECIPES[artifact].build(analysis, brief)


def _with_defaults(artifact: ArtifactType, controls: dict[str, Any]) -> dict[str, Any]:
    return {**spec_of(artifact).defaults(), **controls}
