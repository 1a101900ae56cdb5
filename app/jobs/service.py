"""The job lifecycle as the API sees it: create, read, list, cancel, retry, delete."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from app import paging
from app.content.catalogue import ArtifactOptions, ArtifactType, artifact_types
from app.content.generator import Generator, unused_controls
from app.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from app.jobs import lifecycle
from app.jobs.exports import exports_prefix
from app.jobs.models import FINISHED_JOBS, Job, JobRequest, JobStatus, StepState, StepStatus, StoredArtifact
from app.jobs.queue import Step, TaskQueue
from app.jobs.schemas import SOURCE_MAX, JobCreate
from app.jobs.store import JobStore, PageCursor
from app.sources.models import SourceRef
from app.sources.storage import BlobStorage

RETRYABLE = frozenset({JobStatus.PARTIAL, JobStatus.FAILED, JobStatus.CANCELLED})


class Requester(Protocol):
    """Who asks for the work: jobs belong to ``owner`` and their tokens count against ``key_id``'s budget.
    (``app.auth.models.Principal`` is one.)"""

    @property
    def owner(self) -> str: ...

    @property
    def key_id(self) -> str: ...

    @property
    def daily_token_budget(self) -> int | None: ...


class Admission(Protocol):
    """Refuses work before any model is called (the daily token quota, ``app.limits.quotas``)."""

    async def __call__(self, requester: Requester, request: JobRequest, artifacts: Sequence[ArtifactType]) -> None: ...


class SourceResolver(Protocol):
    """The texts of a job's named sources, joined in order, and where each lies (``app.sources.service``)."""

    async def resolve(
        self, owner: str, source_ids: Sequence[str], *, max_characters: int
    ) -> tuple[str, tuple[SourceRef, ...]]: ...


class JobCounter(Protocol):
    """Counts jobs as they are created and finished (``app.observability.metrics.Metrics`` is one)."""

    def job_created(self) -> None: ...

    def job_finished(self, status: JobStatus) -> None: ...


@dataclass(frozen=True, slots=True)
class JobsService:
    store: JobStore
    queue: TaskQueue
    generator: Generator
    job_ttl: timedelta
    admission: Admission | None = None
    counter: JobCounter | None = None
    sources: SourceResolver | None = None
    blobs: BlobStorage | None = None  # where the job's exports are kept (``app.jobs.exports``)
    speaks: bool = False  # a speech engine is configured: podcasts may be read aloud (``options.podcast_script``)

    async def create(self, owner: Requester, body: JobCreate, idempotency_key: str | None) -> tuple[Job, bool]:
        """Persist the job, then enqueue its outline. Returns the job and whether it is new."""
        asked = to_request(body)
        # The body as sent, sources by id: a retry replays its job even after the sources were deleted.
        fingerprint = request_fingerprint(asked, body.source_ids)
        if idempotency_key is not None:
            existing = await self.store.find_by_idempotency_key(owner.owner, idempotency_key)
            if existing is not None:
                return await self._replay(existing, fingerprint), False
        request = await self._with_sources(owner, body, asked)
        if self.admission is not None:
            await self.admission(owner, request, request.artifacts)
        await self.generator.check(request.generation_input(), request.artifacts, request.options)
        audio = self._audio_step(request)

        now = datetime.now(UTC)
        job = Job(
            id=f"job_{secrets.token_hex(12)}",
            owner=owner.owner,
            key_id=owner.key_id,
            request=request,
            request_hash=fingerprint,
            idempotency_key=idempotency_key,
            steps={a: self._step(a, request, now) for a in request.artifacts},
            title=title_of(request),
            titled_by_source=bool(request.sources),
            audio=audio,
            created_at=now,
            updated_at=now,
            expires_at=now + self.job_ttl,
        )
        job.refresh(now)
        stored = await self.store.create_job(job)
        if stored.id != job.id:  # another request with the same key won the race
            return await self._replay(stored, fingerprint), False
        try:
            await self.queue.enqueue([Step(job.id, ArtifactType.OUTLINE, 0)])
        except ServiceUnavailable:
            await self.store.delete_job(job.id)  # nothing half-made: the client may simply try again
            raise
        if self.counter is not None:
            self.counter.job_created()
        return job, True

    async def _with_sources(self, owner: Requester, body: JobCreate, request: JobRequest) -> JobRequest:
        if not body.source_ids:
            return request
        if self.sources is None:
            raise ServiceUnavailable("Sources are not available on this service.", code="sources_unavailable")
        text, refs = await self.sources.resolve(owner.owner, body.source_ids, max_characters=SOURCE_MAX)
        return request.model_copy(update={"source_text": text, "sources": refs})

    def _audio_step(self, request: JobRequest) -> StepState | None:
        """The audio step of a request that asks for its podcast read aloud (waiting for the script), or None;
        422 where no speech engine is configured."""
        podcast = ArtifactType.PODCAST_SCRIPT
        if podcast not in request.artifacts or not request.options.for_type(podcast).get("audio"):
            return None
        if not self.speaks:
            message = "This service has no speech engine (CF_SPEECH is off), so podcasts cannot be read aloud."
            raise Unprocessable(
                message,
                code="audio_unavailable",
                details=[{"field": "options.podcast_script.audio", "message": message, "type": "audio_unavailable"}],
            )
        return StepState(status=StepStatus.PENDING)

    def _step(self, artifact: ArtifactType, request: JobRequest, now: datetime) -> StepState:
        """A new job's step: the outline queued, the rest waiting for it, each knowing the controls its engine
        will leave unused."""
        unused = unused_controls(
            self.generator, artifact, request.generation_input(), request.options.for_engine(artifact)
        )
        if artifact is ArtifactType.OUTLINE:
            return StepState(status=StepStatus.QUEUED, queued_at=now, unused_controls=unused)
        return StepState(status=StepStatus.PENDING, unused_controls=unused)

    async def _replay(self, existing: Job, fingerprint: str) -> Job:
        """The job an Idempotency-Key already made. Its queued steps are enqueued again (deduplicated by task
        name), in case the first request died between saving the job and enqueueing it."""
        job = _same_request(existing, fingerprint)
        queued = lifecycle.queued_steps(job)
        if queued:
            await self.queue.enqueue(queued)
        return job

    async def get(self, owner: Requester, job_id: str) -> Job:
        job = await self.store.get_job(job_id)
        if job is None or job.owner != owner.owner:
            raise NotFound(f"No job {job_id!r}.", code="job_not_found")
        return job

    async def page(
        self, owner: Requester, *, status: JobStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Job], str | None]:
        after = decode_cursor(cursor) if cursor else None
        jobs = await self.store.list_jobs(owner.owner, status=status, limit=limit + 1, after=after)
        more = len(jobs) > limit
        jobs = jobs[:limit]
        return jobs, encode_cursor(jobs[-1]) if more and jobs else None

    async def artifact(self, owner: Requester, job_id: str, artifact: ArtifactType) -> StoredArtifact:
        return (await self.artifact_of(owner, job_id, artifact))[1]

    async def artifact_of(self, owner: Requester, job_id: str, artifact: ArtifactType) -> tuple[Job, StoredArtifact]:
        """The job and its stored artifact; 404 when the job did not ask for it, 409 while it is not ready."""
        job = await self.get(owner, job_id)
        state = job.steps.get(artifact)
        if state is None:
            raise NotFound(f"Job {job_id!r} did not ask for {artifact.value!r}.", code="artifact_not_requested")
        stored = await self.store.get_artifact(job_id, artifact) if state.status is StepStatus.SUCCEEDED else None
        if stored is None:
            raise Conflict(
                f"The {artifact.value} artifact is {state.status.value}, not ready.",
                code="artifact_not_ready",
                details={
                    "status": state.status.value,
                    "error": state.error.model_dump() if state.error else None,
                },
            )
        return job, stored

    async def cancel(self, owner: Requester, job_id: str) -> Job:
        await self.get(owner, job_id)
        changed = await self.store.update_job(job_id, lifecycle.cancel(datetime.now(UTC)))
        if changed is None:
            raise NotFound(f"No job {job_id!r}.", code="job_not_found")
        job, done = changed
        if not done.applied:
            raise Conflict(f"Job {job_id!r} has already finished ({job.status.value}).", code="job_finished")
        self._count_finished(done)
        return job

    async def retry(self, owner: Requester, job_id: str) -> Job:
        job = await self.get(owner, job_id)
        if job.status not in RETRYABLE:
            raise Conflict(
                f"Only partial, failed or cancelled jobs can be retried; this one is {job.status.value}.",
                code="job_not_retryable",
            )
        if self.admission is not None:
            again = [a for a, s in job.steps.items() if s.status in (StepStatus.FAILED, StepStatus.CANCELLED)]
            await self.admission(owner, job.request, again)
        changed = await self.store.update_job(job_id, lifecycle.retry_failed(datetime.now(UTC)))
        if changed is None:
            raise NotFound(f"No job {job_id!r}.", code="job_not_found")
        job, done = changed
        await self.queue.enqueue(done.released)
        return job

    async def delete(self, owner: Requester, job_id: str) -> None:
        job = await self.get(owner, job_id)
        if job.status not in FINISHED_JOBS:
            changed = await self.store.update_job(job_id, lifecycle.cancel(datetime.now(UTC)))
            if changed is not None:
                self._count_finished(changed[1])
        if self.blobs is not None:  # first: a failure here leaves the job, and a retry deletes both
            await self.blobs.delete_prefix(exports_prefix(job_id))
        await self.store.delete_job(job_id)

    def _count_finished(self, done: lifecycle.Changed) -> None:
        if done.finished is not None and self.counter is not None:
            self.counter.job_finished(done.finished)


def to_request(body: JobCreate) -> JobRequest:
    known = artifact_types()
    wanted = set(body.artifacts or known) | {ArtifactType.OUTLINE}
    return JobRequest(
        topic=body.topic,
        source_text=body.source_text,
        artifacts=tuple(a for a in known if a in wanted),
        language=body.language,
        audience=body.audience,
        difficulty=body.difficulty,
        focus=body.focus,
        options=body.options or ArtifactOptions(),
    )


TITLE_MAX = 120


def title_of(request: JobRequest) -> str:
    """A new job's title: its sources' title, the topic, or the opening words of its text."""
    if request.sources:
        first = request.sources[0].title
        more = len(request.sources) - 1
        return (f"{first} and {more} more" if more else first)[:TITLE_MAX]
    if request.topic:
        return request.topic[:TITLE_MAX]
    opening = " ".join((request.source_text or "").split()[:12]).lstrip("#*>- ")
    return (opening[: TITLE_MAX - 1] + "…") if len(opening) >= TITLE_MAX else opening


def request_fingerprint(request: JobRequest, source_ids: Sequence[str] | None = None) -> str:
    material = request.model_dump(mode="json")
    if source_ids:
        material["source_ids"] = list(source_ids)
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same_request(existing: Job, fingerprint: str) -> Job:
    if existing.request_hash != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request body.",
            code="idempotency_key_reused",
            details={"job_id": existing.id},
        )
    return existing


def encode_cursor(job: Job) -> str:
    return paging.encode_cursor(job.created_at, job.id)


def decode_cursor(cursor: str) -> PageCursor:
    created_at, job_id = paging.decode_cursor(cursor)
    return PageCursor(created_at=created_at, job_id=job_id)
