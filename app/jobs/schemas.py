"""Request and response bodies of the jobs API."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, field_validator, model_validator

from app.content import models
from app.content.catalogue import CATALOGUE, ArtifactOptions, ArtifactType
from app.content.generator import Usage
from app.content.grounding import Grounding
from app.content.models import Difficulty
from app.jobs.models import ErrorInfo, Job, JobStatus, StepStatus

TOPIC_MIN, TOPIC_MAX = 3, 300
SOURCE_MAX = 200_000
SOURCES_MAX = 20  # sources one job may name

Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=TOPIC_MIN, max_length=TOPIC_MAX)]
SourceText = Annotated[str, StringConstraints(min_length=1, max_length=SOURCE_MAX)]
Language = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")]
SourceId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
FocusText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class JobCreate(BaseModel):
    """A generation request: a topic, a source text, or both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "topic": "Photosynthesis",
                    "source_text": "Photosynthesis is the process by which plants turn light into chemical energy…",
                    "artifacts": ["outline", "flashcards", "faq"],
                    "options": {"flashcards": {"count": 12}},
                }
            ]
        },
    )

    topic: Topic | None = Field(default=None, description=f"What to teach, {TOPIC_MIN}–{TOPIC_MAX} characters.")
    source_text: SourceText | None = Field(
        default=None, description=f"Material to teach from, up to {SOURCE_MAX:,} characters."
    )
    source_ids: list[SourceId] | None = Field(
        default=None,
        min_length=1,
        max_length=SOURCES_MAX,
        description=f"Sources (POST /v1/sources) to teach from, joined in this order; up to {SOURCES_MAX}, "
        f"{SOURCE_MAX:,} characters together.",
    )
    artifacts: list[ArtifactType] | None = Field(
        default=None,
        min_length=1,
        max_length=64,  # distinct types: far more than the catalogue holds
        description="Artifacts to generate (default: all). The outline is always generated.",
    )
    language: Language = Field(default="en", description="BCP 47 language tag of the materials.")
    audience: ShortText | None = Field(default=None, description="Who the materials are for.")
    difficulty: Difficulty | None = None
    focus: FocusText | None = Field(default=None, description="What to emphasise.")
    options: ArtifactOptions | None = Field(default=None, description="Per-artifact controls.")

    @field_validator("source_text")
    @classmethod
    def _source_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("source_text must contain text, not only whitespace")
        return value

    @field_validator("artifacts")
    @classmethod
    def _unique_artifacts(cls, value: list[ArtifactType] | None) -> list[ArtifactType] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("artifacts must not repeat a type")
        return value

    @field_validator("source_ids")
    @classmethod
    def _unique_sources(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("source_ids must not repeat a source")
        return value

    @model_validator(mode="after")
    def _topic_or_source(self) -> JobCreate:
        if self.topic is None and self.source_text is None and self.source_ids is None:
            raise ValueError("send a topic, a source_text or source_ids (a topic may come with either)")
        if self.source_text is not None and self.source_ids is not None:
            raise ValueError("send a source_text or source_ids, not both")
        return self


class Progress(BaseModel):
    done: int
    total: int
    percent: int


class AudioStatePublic(BaseModel):
    """The step that reads a podcast script aloud (``options.podcast_script.audio``); its file is the ``mp3``
    export."""

    status: StepStatus
    attempts: int
    error: ErrorInfo | None = None


class ArtifactStatePublic(BaseModel):
    status: StepStatus
    attempts: int
    cached: bool
    error: ErrorInfo | None = None
    usage: Usage | None = None
    unused_controls: list[str] = Field(
        default_factory=list,
        description="Controls the request set that this artifact's engine does not act on (see /v1/content-types).",
    )
    audio: AudioStatePublic | None = Field(
        default=None, description="The podcast read aloud, where the request asked for it; absent otherwise."
    )


class JobRequestPublic(BaseModel):
    topic: str | None
    source_chars: int
    source_ids: list[str] = Field(default_factory=list, description="The sources the job was made from, in order.")
    artifacts: list[ArtifactType]
    language: str
    audience: str | None
    difficulty: Difficulty | None
    focus: str | None
    options: dict[str, Any]


class JobPublic(BaseModel):
    id: str
    title: str = Field(description="Its sources' title, else the outline's once it exists, else the topic.")
    status: JobStatus
    version: int = Field(description="Raised by every change to the job; the ETag of GET /v1/jobs/{id} carries it.")
    progress: Progress
    artifacts: dict[ArtifactType, ArtifactStatePublic]
    usage: Usage
    error: ErrorInfo | None = None
    request: JobRequestPublic
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None

    @classmethod
    def of(cls, job: Job) -> JobPublic:
        request = job.request
        return cls(
            id=job.id,
            title=job.title,
            status=job.status,
            version=job.version,
            progress=progress_of(job),
            artifacts={
                artifact: ArtifactStatePublic(
                    status=s.status,
                    attempts=s.attempts,
                    cached=s.cached,
                    error=s.error,
                    usage=s.usage,
                    unused_controls=list(s.unused_controls),
                    audio=_audio_of(job) if artifact is ArtifactType.PODCAST_SCRIPT else None,
                )
                for artifact, s in job.steps.items()
            },
            usage=job.usage,
            error=job.error,
            request=JobRequestPublic(
                topic=request.topic,
                source_chars=len(request.source_text or ""),
                source_ids=[ref.id for ref in request.sources],
                artifacts=list(request.artifacts),
                language=request.language,
                audience=request.audience,
                difficulty=request.difficulty,
                focus=request.focus,
                options={a: c for a, c in request.options.model_dump().items() if a in request.artifacts},
            ),
            created_at=job.created_at,
            updated_at=job.updated_at,
            finished_at=job.finished_at,
        )


def _audio_of(job: Job) -> AudioStatePublic | None:
    audio = job.audio
    return None if audio is None else AudioStatePublic(status=audio.status, attempts=audio.attempts, error=audio.error)


def progress_of(job: Job) -> Progress:
    parts = job.parts()
    done = sum(1 for _, _, s in parts if s.terminal)
    total = len(parts)
    return Progress(done=done, total=total, percent=round(100 * done / total) if total else 100)


class JobSummary(BaseModel):
    """A job in the compact list (``GET /v1/jobs?view=compact``): what a list of recent jobs shows."""

    id: str
    title: str
    status: JobStatus
    progress: Progress
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, job: Job) -> JobSummary:
        return cls(
            id=job.id,
            title=job.title,
            status=job.status,
            progress=progress_of(job),
            created_at=job.created_at,
            updated_at=job.updated_at,
        )


class JobPage(BaseModel):
    items: list[JobPublic]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class JobSummaryPage(BaseModel):
    """A page of ``GET /v1/jobs?view=compact``."""

    items: list[JobSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class GeneratedBy(BaseModel):
    provider: str
    model: str
    prompt_version: str


class ArtifactPublic(BaseModel):
    type: ArtifactType
    content: dict[str, Any]
    generated_by: GeneratedBy
    cached: bool
    grounded: bool = Field(
        description="Whether the items carry evidence from the job's source: false for a topic-only job and for "
        "artifacts without items (the outline, the podcast, the readings)."
    )
    grounding: Grounding | None = Field(
        default=None, description="How many items have evidence found in the source, and how many have none."
    )


def typed_artifacts() -> tuple[type[ArtifactPublic], ...]:
    """``ArtifactPublic`` once per registered type, its ``content`` typed by the type's model (``FlashcardsArtifact``
    …): the members of the discriminated union the API document publishes for ``GET …/artifacts/{type}``."""
    return tuple(_typed(spec.name, spec.model) for spec in CATALOGUE.values())


@cache
def _typed(name: str, model: type[models.ArtifactModel]) -> type[ArtifactPublic]:
    return create_model(
        f"{model.__name__}Artifact",
        __base__=ArtifactPublic,
        __doc__=f"A {name.replace('_', ' ')} artifact.",
        type=(Literal[name], ...),  # type: ignore[arg-type]  # one literal per registered name
        content=(model, ...),
    )
