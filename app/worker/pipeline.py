"""One step of a job: claim it, look in the cache, generate, validate, store, and release what depends on it.

The inline queue and the Cloud Tasks worker endpoint both call ``run_step``. It records every failure it can
name on the artifact and answers with an outcome; it raises only when the store itself fails. What a step spends
is accounted where it is spent: each generation's tokens are charged to the job's key (``Quotas``) and counted
in the metrics as the generation returns, whatever then becomes of the job (cancelled, deleted, retried); a job
the step finishes is counted as the store commits it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from app.audio import AudioError
from app.content.cache import ArtifactCache, CacheValue, cache_key
from app.content.catalogue import ArtifactType, spec_of, validate_content
from app.content.generator import (
    GenerationError,
    GenerationTask,
    Generator,
    PermanentGenerationError,
    TransientGenerationError,
    Usage,
)
from app.content.grounding import Grounding, evidence_field, grounding_of, localise, verified
from app.content.models import Outline
from app.jobs import lifecycle
from app.jobs.exports import PodcastAudio
from app.jobs.models import ErrorInfo, Job, StepStatus, StoredArtifact
from app.jobs.queue import Outcome, Step, StepResult, TaskQueue
from app.jobs.store import JobStore
from app.limits.quotas import Quotas
from app.observability.metrics import Metrics
from app.observability.sentry import breadcrumb
from app.observability.steps import observe_step
from app.worker.lease import LeaseLost, holding

log = logging.getLogger(__name__)

_HAND_BACK_SECONDS = 2.0  # at shutdown, for cancelled steps to write their hand-back


@dataclass(frozen=True, slots=True)
class StepPolicy:
    max_attempts: int
    lease_seconds: float
    timeout_seconds: float = 600.0


@dataclass(frozen=True, slots=True)
class Pipeline:
    store: JobStore
    queue: TaskQueue
    cache: ArtifactCache
    generator: Generator
    policy: StepPolicy
    quotas: Quotas | None = None  # charges each generation's tokens to the job's key; None: nothing is charged
    audio: PodcastAudio | None = None  # reads podcast scripts aloud (audio steps); None where speech is off
    metrics: Metrics = field(default_factory=Metrics)  # the app passes its own; a default suits unit tests
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")  # recorded on claims

    _in_flight: set[asyncio.Task[Any]] = field(default_factory=set, init=False, repr=False, compare=False)

    async def run_step(self, step: Step) -> StepResult:
        task = asyncio.current_task()
        assert task is not None  # steps run in tasks: a request's, or the inline queue's
        self._in_flight.add(task)
        try:
            with observe_step(self.metrics, step, provider=self.generator.provider) as observation:
                result = await self._run_step(step)
                observation.ended(result.outcome)
                return result
        finally:
            self._in_flight.discard(task)

    async def stop(self, grace_seconds: float) -> None:
        """At shutdown, before the store closes: give the steps still in flight ``grace_seconds``, then cancel
        them, which hands each step back (``worker_stopped``), and wait for the hand-backs to be written."""
        if not self._in_flight:
            return
        await asyncio.wait(list(self._in_flight), timeout=grace_seconds)
        for task in list(self._in_flight):
            task.cancel()
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=_HAND_BACK_SECONDS)

    async def _run_step(self, step: Step) -> StepResult:
        now = _now()
        claimed = await self.store.update_job(
            step.job_id, lifecycle.claim_step(step, now, self.policy.lease_seconds, self.worker)
        )
        if claimed is None:
            return StepResult(Outcome.SKIPPED, reason="job not found")
        job, claim = claimed
        if claim is None:
            await self._release_left_behind(job, step)
            return StepResult(Outcome.SKIPPED, reason="step finished, cancelled or superseded")
        if isinstance(claim, lifecycle.Busy):
            return StepResult(Outcome.RETRY, retry_after=claim.seconds, reason="step held by another worker")

        attempt = claim.attempt

        async def renew() -> bool:
            renewed = await self.store.update_job(
                step.job_id, lifecycle.renew_lease(step, attempt, _now(), self.policy.lease_seconds)
            )
            return renewed is not None and renewed[1]

        try:
            made = await holding(
                self._read_aloud(job) if step.audio else self._produce(job, step.artifact),
                renew=renew,
                lease=self.policy.lease_seconds,
                limit_seconds=self.policy.timeout_seconds,
            )
        except LeaseLost:
            return StepResult(Outcome.SKIPPED, reason="step cancelled or taken over while it ran")
        except asyncio.CancelledError:
            # The process is stopping (shutdown cancels the work in flight): hand the step back at once, so that
            # the next delivery, or the next start, takes it without waiting out the lease.
            await asyncio.shield(self._hand_back(step, attempt))
            raise
        except GenerationError as exc:
            error = ErrorInfo(code=exc.code, message=exc.message)
            if exc.transient and attempt < self.policy.max_attempts:
                await self.store.update_job(
                    step.job_id, lifecycle.release_for_retry(step, _now(), error, attempt=attempt)
                )
                return StepResult(Outcome.RETRY, retry_after=exc.retry_after, reason=exc.message)
            if exc.transient:
                error = ErrorInfo(
                    code="step_timed_out" if exc.code == "step_timeout" else "retries_exhausted",
                    message=f"Gave up after {attempt} attempts; last error: {exc.message}",
                )
            return await self._fail(step, error, attempt)
        except ValidationError as exc:
            return await self._fail(step, _invalid_output(exc), attempt)
        except Exception as exc:
            # An unexpected fault in generation: retried like a transient one, then recorded.
            log.exception("step %s raised", step.task_name)
            error = ErrorInfo(code="internal_error", message=f"Generation raised {type(exc).__name__}.")
            if attempt < self.policy.max_attempts:
                await self.store.update_job(
                    step.job_id, lifecycle.release_for_retry(step, _now(), error, attempt=attempt)
                )
                return StepResult(Outcome.RETRY, reason=error.message)
            return await self._fail(step, error, attempt)

        if made is None:  # the audio step: its file is kept, so only the step's success is left to record
            read = await self.store.update_job(
                step.job_id, lifecycle.record_success(step, _now(), cached=False, usage=Usage(), attempt=attempt)
            )
            if read is None or not read[1].applied:
                return StepResult(Outcome.SKIPPED, reason="step cancelled, taken over or deleted while it ran")
            self._count_finished(read[1])
            return StepResult(Outcome.DONE)
        content, cached, grounding = made
        artifact = StoredArtifact(
            job_id=step.job_id,
            type=step.artifact,
            content=content,
            provider=self.generator.provider,
            model=self.generator.model,
            prompt_version=self.generator.prompt_version,
            cached=cached,
            grounding=grounding,
            created_at=_now(),
        )
        # The artifact is written in the transaction that records the success, and only if this claim still
        # holds: a worker taken over, cancelled or deleted on the way writes nothing.
        success = lifecycle.record_success(
            step, _now(), cached=cached, usage=Usage(), attempt=attempt
        )  # usage: as spent
        if step.artifact is ArtifactType.OUTLINE:
            success = lifecycle.titled(success, str(content.get("title") or ""))
        recorded = await self.store.commit_artifact(artifact, success)
        if recorded is None:
            return StepResult(Outcome.SKIPPED, reason="job deleted")
        done = recorded[1]
        if not done.applied:  # cancelled, or taken over, while it ran: the step's state stays as it is
            return StepResult(Outcome.SKIPPED, reason="step cancelled or taken over while it ran")
        self._count_finished(done)
        if done.released:
            await self.queue.enqueue(done.released)
        return StepResult(Outcome.DONE)

    async def _hand_back(self, step: Step, attempt: int) -> None:
        stopped = ErrorInfo(code="worker_stopped", message="The worker stopped while this step ran; it runs again.")
        try:
            await self.store.update_job(
                step.job_id, lifecycle.release_for_retry(step, _now(), stopped, attempt=attempt)
            )
        except Exception:  # the lease still frees the step, only later
            log.exception("step %s could not be handed back", step.task_name)

    async def _release_left_behind(self, job: Job, step: Step) -> None:
        """A finished outline (or podcast script) delivered again: enqueue the steps it released, in case
        enqueueing them failed the first time (the queue was down after it was recorded). Task names make this
        idempotent."""
        releases = (ArtifactType.OUTLINE, ArtifactType.PODCAST_SCRIPT)
        state = job.steps.get(step.artifact)
        if step.audio or step.artifact not in releases or state is None or state.status is not StepStatus.SUCCEEDED:
            return
        waiting = lifecycle.queued_steps(job)
        if waiting:
            await self.queue.enqueue(waiting)

    async def _produce(self, job: Job, artifact: ArtifactType) -> tuple[dict[str, Any], bool, Grounding | None]:
        request = job.request.generation_input()
        controls = job.request.options.for_engine(artifact)
        outline_content = None if artifact is ArtifactType.OUTLINE else await self._outline(job.id)
        key = cache_key(
            artifact=artifact,
            request=request,
            controls=controls,
            outline=outline_content,
            provider=self.generator.provider,
            model=self.generator.model,
            prompt_version=self.generator.prompt_version,
        )

        async def generate() -> CacheValue:
            outline = None if outline_content is None else Outline.model_validate(outline_content)
            task = GenerationTask(artifact=artifact, input=request, controls=controls, outline=outline)
            breadcrumb("generating", artifact=artifact.value)
            try:
                generated = await self.generator.generate(task)
            except GenerationError as exc:
                if exc.usage is not None:  # a failed generation still spent tokens
                    await self._spent(job, artifact, exc.usage)
                raise
            await self._spent(job, artifact, generated.usage)
            return generated.content.model_dump(mode="json")

        value, cached = await self.cache.get_or_create(key, generate)
        self.metrics.cache_lookup(artifact=artifact.value, hit=cached)
        breadcrumb("cache hit" if cached else "generated", artifact=artifact.value)
        # Cached content is held to the same contract as fresh content.
        content = validate_content(artifact, value, controls).model_dump(mode="json")
        # Evidence is generated (and cached) in the joined source text of any job with that text; here it moves
        # to this job's own sources, and is counted.
        items = evidence_field(spec_of(artifact).model)
        if items is None or request.source_text is None:
            return content, cached, None
        content[items] = localise(verified(content[items], request.source_text), job.request.sources)
        return content, cached, grounding_of(content[items])

    async def _read_aloud(self, job: Job) -> None:
        """The audio step's work: read the stored podcast script aloud and keep the file (``PodcastAudio``).
        Speech and encoding failures are retried like a model's; a missing engine or script is final."""
        if self.audio is None:
            raise PermanentGenerationError("No speech engine is configured here.", code="audio_unavailable")
        stored = await self.store.get_artifact(job.id, ArtifactType.PODCAST_SCRIPT)
        if stored is None:
            raise PermanentGenerationError("The podcast script is missing.", code="podcast_script_missing")
        breadcrumb("reading aloud", artifact=stored.type.value)
        try:
            await self.audio.make(job, stored)
        except AudioError as exc:
            error = TransientGenerationError if exc.transient else PermanentGenerationError
            raise error(exc.message, code=exc.code) from exc

    async def _spent(self, job: Job, artifact: ArtifactType, usage: Usage) -> None:
        """Account for a generation's tokens: in the metrics, on the job, and against the key that created it."""
        self.metrics.llm_usage(
            provider=self.generator.provider, model=self.generator.model, artifact=artifact.value, usage=usage
        )
        if usage == Usage():
            return  # the offline engine, a cache hit: nothing was spent
        await self.store.update_job(job.id, lifecycle.add_usage(artifact, _now(), usage))
        tokens = usage.input_tokens + usage.output_tokens
        if self.quotas is None or job.key_id is None or tokens == 0:
            return
        try:
            await self.quotas.record(job.key_id, tokens)
        except Exception:  # the generation happened and its result stands; only the quota undercounts
            log.exception("could not record %d tokens of job %s", tokens, job.id)

    def _count_finished(self, done: lifecycle.Changed) -> None:
        if done.finished is not None:
            self.metrics.job_finished(done.finished)

    async def _outline(self, job_id: str) -> dict[str, Any]:
        stored = await self.store.get_artifact(job_id, ArtifactType.OUTLINE)
        if stored is None:
            raise GenerationError("The job's outline is missing.", code="outline_missing")
        return stored.content

    async def _fail(self, step: Step, error: ErrorInfo, attempt: int) -> StepResult:
        failed = await self.store.update_job(
            step.job_id, lifecycle.record_failure(step, _now(), error, attempt=attempt)
        )
        if failed is not None:
            self._count_finished(failed[1])
        return StepResult(Outcome.FAILED, reason=error.message)


def _invalid_output(exc: ValidationError) -> ErrorInfo:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'content'}: {err['msg']}" for err in exc.errors()[:5]
    )
    return ErrorInfo(code="invalid_output", message=f"The generated artifact is invalid: {problems}")


def _now() -> datetime:
    return datetime.now(UTC)
