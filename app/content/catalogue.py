"""The artifact catalogue: each type's model, its request controls and their published ranges."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.content import models


class ArtifactType(StrEnum):
    OUTLINE = "outline"
    PODCAST_SCRIPT = "podcast_script"
    STUDY_GUIDE = "study_guide"
    ONE_PAGER = "one_pager"
    DETAILED_READING = "detailed_reading"
    FAQ = "faq"
    FLASHCARDS = "flashcards"
    READING_QUESTIONS = "reading_questions"


class Controls(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoControls(Controls):
    pass


class FlashcardsControls(Controls):
    count: int = Field(default=15, ge=5, le=50, description="Number of cards.")


class FaqControls(Controls):
    count: int = Field(default=8, ge=5, le=15, description="Number of question-and-answer items.")


class ReadingQuestionsControls(Controls):
    count: int = Field(default=8, ge=5, le=15, description="Number of questions.")


class PodcastControls(Controls):
    minutes: int = Field(default=10, ge=2, le=60, description="Target length of the episode in minutes.")


class ArtifactOptions(BaseModel):
    """Per-artifact controls keyed by artifact type; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flashcards: FlashcardsControls = Field(default_factory=FlashcardsControls)
    faq: FaqControls = Field(default_factory=FaqControls)
    reading_questions: ReadingQuestionsControls = Field(default_factory=ReadingQuestionsControls)
    podcast_script: PodcastControls = Field(default_factory=PodcastControls)

    def for_type(self, artifact: ArtifactType) -> dict[str, Any]:
        controls = getattr(self, artifact.value, None)
        return controls.model_dump() if isinstance(controls, Controls) else {}


@dataclass(frozen=True, slots=True)
class ArtifactSpec:
    artifact: ArtifactType
    model: type[models.ArtifactModel]
    controls: type[Controls]
    description: str


CATALOGUE: dict[ArtifactType, ArtifactSpec] = {
    spec.artifact: spec
    for spec in (
        ArtifactSpec(
            ArtifactType.OUTLINE,
            models.Outline,
            NoControls,
            "The course outline: objectives and numbered sections. Always generated first.",
        ),
        ArtifactSpec(
            ArtifactType.PODCAST_SCRIPT,
            models.PodcastScript,
            PodcastControls,
            "A conversation between a host and guests that teaches the material.",
        ),
        ArtifactSpec(
            ArtifactType.STUDY_GUIDE,
            models.StudyGuide,
            NoControls,
            "Key concepts with explanations, sections and a summary.",
        ),
        ArtifactSpec(ArtifactType.ONE_PAGER, models.OnePager, NoControls, "A one-page summary with key takeaways."),
        ArtifactSpec(
            ArtifactType.DETAILED_READING,
            models.DetailedReading,
            NoControls,
            "A long-form reading with introduction, sections and conclusion.",
        ),
        ArtifactSpec(ArtifactType.FAQ, models.Faq, FaqControls, "Frequently asked questions with answers."),
        ArtifactSpec(
            ArtifactType.FLASHCARDS,
            models.Flashcards,
            FlashcardsControls,
            "Question-and-answer cards rated easy, medium or hard.",
        ),
        ArtifactSpec(
            ArtifactType.READING_QUESTIONS,
            models.ReadingQuestions,
            ReadingQuestionsControls,
            "Questions for recall, analysis, application and evaluation.",
        ),
    )
}

ALL_ARTIFACTS: tuple[ArtifactType, ...] = tuple(CATALOGUE)


def validate_content(artifact: ArtifactType, data: Any, controls: dict[str, Any]) -> models.ArtifactModel:
    """Validate raw content against the artifact's model and the requested controls."""
    return CATALOGUE[artifact].model.model_validate(data, context={"controls": controls})


def control_ranges(spec: ArtifactSpec) -> dict[str, dict[str, Any]]:
    """Each control's default, minimum and maximum, read from its field constraints."""
    ranges: dict[str, dict[str, Any]] = {}
    schema = spec.controls.model_json_schema()
    for name, prop in schema.get("properties", {}).items():
        ranges[name] = {
            "type": prop.get("type"),
            "default": prop.get("default"),
            "minimum": prop.get("minimum"),
            "maximum": prop.get("maximum"),
            "description": prop.get("description"),
        }
    return ranges
