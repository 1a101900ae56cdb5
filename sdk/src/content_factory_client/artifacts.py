"""The nine artifacts: their contents, with the evidence items carry, and the envelope of
``GET /v1/jobs/{id}/artifacts/{type}``, a union told apart by ``type``. Names, required fields and enum values are
the server's (``app/content/models.py``); no value limits."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from content_factory_client._base import Body

Difficulty = Literal["introductory", "intermediate", "advanced"]
CardDifficulty = Literal["easy", "medium", "hard"]
QuestionKind = Literal["recall", "analysis", "application", "evaluation"]


# --- evidence --------------------------------------------------------------------------------------------------


class Evidence(Body):
    source_id: str | None
    start: int
    end: int
    quote: str
    page: int | None = None


class Grounding(Body):
    supported: int
    unsupported: int


class GeneratedBy(Body):
    provider: str
    model: str
    prompt_version: str


# --- artifact contents -----------------------------------------------------------------------------------------


class OutlineSection(Body):
    number: int
    title: str
    summary: str
    key_points: list[str]


class Outline(Body):
    title: str
    overview: str
    learning_objectives: list[str]
    sections: list[OutlineSection]
    difficulty: Difficulty


class Speaker(Body):
    name: str
    role: str


class Segment(Body):
    speaker: str
    text: str


class PodcastScript(Body):
    title: str
    speakers: list[Speaker]
    segments: list[Segment]
    estimated_minutes: float


class KeyConcept(Body):
    term: str
    explanation: str
    evidence: list[Evidence] = Field(default_factory=list)


class TextSection(Body):
    title: str
    content: str


class StudyGuide(Body):
    title: str
    overview: str
    key_concepts: list[KeyConcept]
    sections: list[TextSection]
    summary: str


class OnePager(Body):
    title: str
    summary: str
    key_takeaways: list[str]
    body: str


class DetailedReading(Body):
    title: str
    introduction: str
    sections: list[TextSection]
    conclusion: str


class FaqItem(Body):
    question: str
    answer: str
    evidence: list[Evidence] = Field(default_factory=list)


class Faq(Body):
    items: list[FaqItem]


class Flashcard(Body):
    front: str
    back: str
    difficulty: CardDifficulty
    evidence: list[Evidence] = Field(default_factory=list)


class Flashcards(Body):
    cards: list[Flashcard]


class ReadingQuestion(Body):
    question: str
    kind: QuestionKind
    answer: str | None = None
    passage: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class ReadingQuestions(Body):
    questions: list[ReadingQuestion]


class QuizQuestion(Body):
    question: str
    options: list[str]
    answer_index: int
    explanation: str
    difficulty: CardDifficulty
    evidence: list[Evidence] = Field(default_factory=list)


class Quiz(Body):
    questions: list[QuizQuestion]


# --- artifacts: GET /v1/jobs/{id}/artifacts/{type}, told apart by ``type`` -------------------------------------


class _Envelope(Body):
    generated_by: GeneratedBy
    cached: bool
    grounded: bool
    grounding: Grounding | None = None


class OutlineArtifact(_Envelope):
    type: Literal["outline"]
    content: Outline


class PodcastScriptArtifact(_Envelope):
    type: Literal["podcast_script"]
    content: PodcastScript


class StudyGuideArtifact(_Envelope):
    type: Literal["study_guide"]
    content: StudyGuide


class OnePagerArtifact(_Envelope):
    type: Literal["one_pager"]
    content: OnePager


class DetailedReadingArtifact(_Envelope):
    type: Literal["detailed_reading"]
    content: DetailedReading


class FaqArtifact(_Envelope):
    type: Literal["faq"]
    content: Faq


class FlashcardsArtifact(_Envelope):
    type: Literal["flashcards"]
    content: Flashcards


class ReadingQuestionsArtifact(_Envelope):
    type: Literal["reading_questions"]
    content: ReadingQuestions


class QuizArtifact(_Envelope):
    type: Literal["quiz"]
    content: Quiz


Artifact = Annotated[
    Union[  # noqa: UP007 (a discriminated union reads best spelled out)
        OutlineArtifact,
        PodcastScriptArtifact,
        StudyGuideArtifact,
        OnePagerArtifact,
        DetailedReadingArtifact,
        FaqArtifact,
        FlashcardsArtifact,
        ReadingQuestionsArtifact,
        QuizArtifact,
    ],
    Field(discriminator="type"),
]
