"""The API's bodies as typed models: field names, required fields and enum values as the server publishes them.

Types only, no value constraints (lengths, ranges, counts): a server that relaxes a limit does not break a
client. Unknown fields are ignored, so a server that adds one does not either. ``SERVER_SCHEMAS`` names the
OpenAPI component each model mirrors. The artifacts are declared in ``.artifacts`` and importable from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from content_factory_client._base import Body
from content_factory_client.artifacts import (
    Artifact,
    CardDifficulty,
    DetailedReading,
    DetailedReadingArtifact,
    Difficulty,
    Evidence,
    Faq,
    FaqArtifact,
    FaqItem,
    Flashcard,
    Flashcards,
    FlashcardsArtifact,
    GeneratedBy,
    Grounding,
    KeyConcept,
    OnePager,
    OnePagerArtifact,
    Outline,
    OutlineArtifact,
    OutlineSection,
    PodcastScript,
    PodcastScriptArtifact,
    QuestionKind,
    Quiz,
    QuizArtifact,
    QuizQuestion,
    ReadingQuestion,
    ReadingQuestions,
    ReadingQuestionsArtifact,
    Segment,
    Speaker,
    StudyGuide,
    StudyGuideArtifact,
    TextSection,
)

ArtifactTypeName = Literal[
    "outline",
    "podcast_script",
    "study_guide",
    "one_pager",
    "detailed_reading",
    "faq",
    "flashcards",
    "reading_questions",
    "quiz",
]
JobStatus = Literal["queued", "running", "succeeded", "partial", "failed", "cancelled"]
StepStatus = Literal["pending", "queued", "running", "succeeded", "failed", "cancelled"]
SourceKind = Literal["pdf", "docx", "html", "markdown", "rst", "text"]

FINISHED: frozenset[str] = frozenset({"succeeded", "partial", "failed", "cancelled"})  # a job's final statuses


# --- jobs ------------------------------------------------------------------------------------------------------


class ErrorInfo(Body):
    code: str
    message: str


class Usage(Body):
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    llm_calls: int = 0
    cost_usd: float = 0.0


class Progress(Body):
    done: int
    total: int
    percent: int


class AudioState(Body):
    """The step that reads a podcast script aloud (``options.podcast_script.audio``); its file is the ``mp3``
    export."""

    status: StepStatus
    attempts: int
    error: ErrorInfo | None = None


class ArtifactState(Body):
    status: StepStatus
    attempts: int
    cached: bool
    error: ErrorInfo | None = None
    usage: Usage | None = None
    unused_controls: list[str] = Field(default_factory=list)
    audio: AudioState | None = None  # the podcast read aloud, where the request asked for it


class JobRequest(Body):
    topic: str | None
    source_chars: int
    source_ids: list[str] = Field(default_factory=list)
    artifacts: list[ArtifactTypeName]
    language: str
    audience: str | None
    difficulty: Difficulty | None
    focus: str | None
    options: dict[str, Any]


class Job(Body):
    id: str
    title: str
    status: JobStatus
    version: int
    progress: Progress
    # Keyed by artifact type name; plain ``str`` keys so that a caller may index with any string.
    artifacts: dict[str, ArtifactState]
    usage: Usage
    error: ErrorInfo | None = None
    request: JobRequest
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class JobSummary(Body):
    id: str
    title: str
    status: JobStatus
    progress: Progress
    created_at: datetime
    updated_at: datetime


class JobPage(Body):
    items: list[Job]  # the client asks for the full view
    next_cursor: str | None


class JobChange(Body):
    """One version of a job as its event stream tells it (the data of a ``change`` event); ``wait`` hands one
    to ``on_progress`` for every version it sees, streamed or polled."""

    version: int
    status: JobStatus
    artifacts: dict[str, StepStatus]
    progress: Progress
    at: datetime | None = None
    audio: StepStatus | None = None  # the podcast's audio step, where the job has one

    @classmethod
    def of(cls, job: Job) -> JobChange:
        podcast = job.artifacts.get("podcast_script")
        return cls(
            version=job.version,
            status=job.status,
            artifacts={name: state.status for name, state in job.artifacts.items()},
            progress=job.progress,
            at=job.updated_at,
            audio=None if podcast is None or podcast.audio is None else podcast.audio.status,
        )


# --- sources ---------------------------------------------------------------------------------------------------


class Source(Body):
    id: str
    title: str
    kind: SourceKind
    characters: int
    pages: int | None = None
    language: str | None = None
    sha256: str
    media_type: str
    size: int
    url: str | None = None
    created_at: datetime


class SourcePage(Body):
    items: list[Source]
    next_cursor: str | None = None


class SourceSpan(Body):
    source_id: str
    start: int
    end: int
    text: str
    before: str
    after: str
    page: int | None = None


# --- the catalogue ---------------------------------------------------------------------------------------------


class ControlRange(Body):
    type: str | None
    default: Any
    minimum: int | None
    maximum: int | None
    description: str | None
    available: bool = True  # False where the server cannot act on it (``audio`` without a speech engine)


class ContentType(Body):
    model_config = ConfigDict(populate_by_name=True)

    type: ArtifactTypeName
    description: str
    derived_from_outline: bool
    controls: dict[str, ControlRange]
    honoured_controls: list[str]
    unused_controls: list[str]
    formats: list[str] = Field(default_factory=list)  # the ``?format=`` names of its downloads, json first
    json_schema: dict[str, Any] = Field(alias="schema")  # ``schema`` would shadow a BaseModel method


class ContentTypeList(Body):
    engine: str
    items: list[ContentType]


# Every model and the server's OpenAPI component (``#/components/schemas/<name>``) it mirrors.
SERVER_SCHEMAS: dict[type[BaseModel], str] = {
    Job: "JobPublic",
    JobSummary: "JobSummary",
    JobPage: "JobPage",
    Progress: "Progress",
    ArtifactState: "ArtifactStatePublic",
    AudioState: "AudioStatePublic",
    Usage: "Usage",
    ErrorInfo: "ErrorInfo",
    JobRequest: "JobRequestPublic",
    Source: "SourcePublic",
    SourcePage: "SourcePage",
    SourceSpan: "SourceSpan",
    ControlRange: "ControlRange",
    ContentType: "ContentType",
    ContentTypeList: "ContentTypeList",
    GeneratedBy: "GeneratedBy",
    Evidence: "Evidence",
    Grounding: "Grounding",
    **{
        model: model.__name__
        for model in (
            Outline,
            OutlineSection,
            PodcastScript,
            Speaker,
            Segment,
            StudyGuide,
            KeyConcept,
            TextSection,
            OnePager,
            DetailedReading,
            Faq,
            FaqItem,
            Flashcards,
            Flashcard,
            ReadingQuestions,
            ReadingQuestion,
            Quiz,
            QuizQuestion,
            OutlineArtifact,
            PodcastScriptArtifact,
            StudyGuideArtifact,
            OnePagerArtifact,
            DetailedReadingArtifact,
            FaqArtifact,
            FlashcardsArtifact,
            ReadingQuestionsArtifact,
            QuizArtifact,
        )
    },
}

__all__ = [
    "FINISHED",
    "SERVER_SCHEMAS",
    "Artifact",
    "ArtifactState",
    "ArtifactTypeName",
    "CardDifficulty",
    "ContentType",
    "ContentTypeList",
    "ControlRange",
    "DetailedReading",
    "DetailedReadingArtifact",
    "Difficulty",
    "ErrorInfo",
    "Evidence",
    "Faq",
    "FaqArtifact",
    "FaqItem",
    "Flashcard",
    "Flashcards",
    "FlashcardsArtifact",
    "GeneratedBy",
    "Grounding",
    "Job",
    "JobChange",
    "JobPage",
    "JobRequest",
    "JobStatus",
    "JobSummary",
    "KeyConcept",
    "OnePager",
    "OnePagerArtifact",
    "Outline",
    "OutlineArtifact",
    "OutlineSection",
    "PodcastScript",
    "PodcastScriptArtifact",
    "Progress",
    "QuestionKind",
    "Quiz",
    "QuizArtifact",
    "QuizQuestion",
    "ReadingQuestion",
    "ReadingQuestions",
    "ReadingQuestionsArtifact",
    "Segment",
    "Source",
    "SourceKind",
    "SourcePage",
    "SourceSpan",
    "Speaker",
    "StepStatus",
    "StudyGuide",
    "StudyGuideArtifact",
    "TextSection",
    "Usage",
]
