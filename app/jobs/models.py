"""The job as stored: its request, the state of each artifact step, and the status derived from them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.content.catalogue import ArtifactOptions, ArtifactType
from app.content.generator import GenerationInput, Usage
from app.content.grounding import Grounding
from app.content.models import Difficulty
from app.sources.models import SourceRef


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    PENDING = "pending"  # waiting for the outline
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_STEPS = frozenset({StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.CANCELLED})
FINISHED_JOBS = frozenset({JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED, JobStatus.CANCELLED})


class ErrorInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str


class JobRequest(BaseModel):
    """The generation request as accepted; part of the job and of the idempotency fingerprint."""

    model_config = ConfigDict(frozen=True)

    topic: str | None = None
    source_text: str | None = None  # pasted, or the texts of ``sources`` joined in order
    sources: tuple[SourceRef, ...] = ()  # where each named source lies in ``source_text``
    artifacts: tuple[ArtifactType, ...]
    language: str = "en"
    audience: str | None = None
    difficulty: Difficulty | None = None
    focus: str | None = None
    options: ArtifactOptions = Field(default_factory=ArtifactOptions)

    def generation_input(self) -> GenerationInput:
        return GenerationInput(
            topic=self.topic,
            source_text=self.source_text,
            language=self.language,
            audience=self.audience,
            difficulty=self.difficulty,
            focus=self.focus,
        )


class StepState(BaseModel):
    """One artifact's step. ``generation`` grows on every retry so stale deliveries can be told apart."""

    status: StepStatus = StepStatus.PENDING
    attempts: int = 0
    generation: int = 0
    cached: bool = False
    error: ErrorInfo | None = None
    usage: Usage | None = None
    lease_until: datetime | None = None
    worker: str | None = None  # the process that claimed it last (host:pid), for operators and tests
    queued_at: datetime | None = None  # when it last became runnable: the sweeper's measure of a lost task
    recoveries: int = 0  # times the sweeper enqueued it again; part of its task name (``Step.recovery``)
    unused_controls: tuple[str, ...] = ()  # controls the request set that the engine does not act on here
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STEPS


HISTORY_KEPT = 200  # changes a job remembers for its event stream; a job of nine artifacts makes about thirty


class JobChange(BaseModel):
    """One version of a job as its event stream tells it: the status and each artifact's status."""

    version: int
    at: datetime
    status: JobStatus
    steps: dict[str, StepStatus]
    audio: StepStatus | None = None  # the podcast's audio step, where the job has one


class Job(BaseModel):
    id: str
    owner: str
    key_id: str | None = None  # the key (or ``uid:<uid>``) that created the job: its token usage counts there
    request: JobRequest
    request_hash: str
    idempotency_key: str | None = None
    status: JobStatus = JobStatus.QUEUED
    version: int = 0  # one higher after every change (``refresh``): the ETag of GET /v1/jobs/{id}
    steps: dict[ArtifactType, StepState]
    cancel_requested: bool = False
    error: ErrorInfo | None = None
    created_at: datetime
    retried_at: datetime | None = None  # the last retry: the job's deadline runs from it (``lifecycle.expire``)
    updated_at: datetime
    finished_at: datetime | None = None
    expires_at: datetime
    history: list[JobChange] = Field(default_factory=list)  # the latest changes, oldest first (``refresh``)
    title: str = ""  # what a person tells it by: its sources' title, else the outline's once it exists, else the topic
    titled_by_source: bool = False  # a source's title stays; any other gives way to the outline's
    told: int = 0  # the version up to which the job's events are published (``app.jobs.telling``)
    untold: bool = False  # it has events not yet published: what the sweeper looks for
    audio: StepState | None = None  # the podcast read aloud, when the request asked (``options.podcast_script``)

    def parts(self) -> list[tuple[ArtifactType, bool, StepState]]:
        """Every step of the job as (artifact, whether it is the artifact's audio, its state): the artifacts'
        steps, then the audio step where there is one. The job's status is derived from all of them."""
        parts = [(artifact, False, state) for artifact, state in self.steps.items()]
        if self.audio is not None:
            parts.append((ArtifactType.PODCAST_SCRIPT, True, self.audio))
        return parts

    @property
    def usage(self) -> Usage:
        used = [s.usage for s in self.steps.values() if s.usage is not None]
        return Usage(
            input_tokens=sum(u.input_tokens for u in used),
            output_tokens=sum(u.output_tokens for u in used),
            cached_input_tokens=sum(u.cached_input_tokens for u in used),
            llm_calls=sum(u.llm_calls for u in used),
            cost_usd=round(sum(u.cost_usd for u in used), 8),
        )

    @property
    def started(self) -> datetime:
        """When the job's current run began: its creation, or its last retry."""
        return self.retried_at or self.created_at

    def refresh(self, now: datetime) -> None:
        """Derive status, error and finish time from the steps, count a new version and remember it in the
        history the event stream reads. Every change calls it."""
        self.version += 1
        self.status = derive_status(self)
        self.updated_at = now
        if self.status in FINISHED_JOBS:
            self.finished_at = self.finished_at or now
        else:
            self.finished_at = None
        outline = self.steps.get(ArtifactType.OUTLINE)
        if self.status is JobStatus.FAILED and outline is not None and outline.error is not None:
            self.error = outline.error
        elif self.status is JobStatus.FAILED:
            self.error = ErrorInfo(code="all_failed", message="Every artifact failed; see each artifact's error.")
        else:
            self.error = None
        change = JobChange(
            version=self.version,
            at=now,
            status=self.status,
            steps={artifact.value: step.status for artifact, step in self.steps.items()},
            audio=None if self.audio is None else self.audio.status,
        )
        self.history = [*self.history[-(HISTORY_KEPT - 1) :], change]


def derive_status(job: Job) -> JobStatus:
    states = [state.status for _, _, state in job.parts()]
    if all(s in TERMINAL_STEPS for s in states):
        if job.cancel_requested and StepStatus.CANCELLED in states:
            return JobStatus.CANCELLED
        if all(s is StepStatus.SUCCEEDED for s in states):
            return JobStatus.SUCCEEDED
        if StepStatus.SUCCEEDED in states:
            return JobStatus.PARTIAL
        return JobStatus.FAILED
    started = any(s not in (StepStatus.PENDING, StepStatus.QUEUED) for s in states)
    return JobStatus.RUNNING if started else JobStatus.QUEUED


class StoredArtifact(BaseModel):
    """A generated artifact's content and provenance."""

    job_id: str
    type: ArtifactType
    content: dict[str, Any]
    provider: str
    model: str
    prompt_version: str
    cached: bool
    grounding: Grounding | None = None  # items with and without evidence; None where nothing is grounded
    created_at: datetime
