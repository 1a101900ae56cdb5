"""Changes to a job, as plain functions applied inside a store transaction (``JobStore.update_job``).

Each returns what the caller needs to know and leaves the job's derived status fresh. They may run more than
once per call (a retried transaction), so they read only the job and their arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.content.catalogue import ArtifactType
from app.content.generator import Usage
from app.jobs.models import ErrorInfo, Job, StepStatus
from app.jobs.queue import Step

OUTLINE = ArtifactType.OUTLINE
OUTLINE_FAILED = ErrorInfo(
    code="outline_failed", message="The outline could not be generated, so this artifact was not attempted."
)


@dataclass(frozen=True, slots=True)
class Claim:
    attempt: int


@dataclass(frozen=True, slots=True)
class Busy:
    """Another worker holds the step; its lease ends in ``seconds``."""

    seconds: float


def claim_step(step: Step, now: datetime, lease_seconds: float) -> Callable[[Job], Claim | Busy | None]:
    """Take the step for this worker, or say why not: ``None`` when there is nothing to do."""

    def change(job: Job) -> Claim | Busy | None:
        state = job.steps.get(step.artifact)
        if state is None or job.cancel_requested or state.generation != step.generation or state.terminal:
            return None
        if state.status is StepStatus.PENDING:
            return None  # its outline is not done; the outline step enqueues it
        if state.status is StepStatus.RUNNING and state.lease_until is not None and state.lease_until > now:
            return Busy((state.lease_until - now).total_seconds())
        state.status = StepStatus.RUNNING
        state.attempts += 1
        state.lease_until = now + timedelta(seconds=lease_seconds)
        state.started_at = state.started_at or now
        job.refresh(now)
        return Claim(state.attempts)

    return change


def _holds(job: Job, step: Step) -> bool:
    state = job.steps.get(step.artifact)
    return (
        state is not None
        and state.status is StepStatus.RUNNING
        and state.generation == step.generation
        and not job.cancel_requested
    )


def record_success(step: Step, now: datetime, *, cached: bool, usage: Usage) -> Callable[[Job], list[Step]]:
    """Mark the step succeeded; for the outline, release the dependent steps and return them to enqueue."""

    def change(job: Job) -> list[Step]:
        if not _holds(job, step):
            return []
        state = job.steps[step.artifact]
        state.status = StepStatus.SUCCEEDED
        state.cached = cached
        state.usage = usage
        state.error = None
        state.lease_until = None
        state.finished_at = now
        released: list[Step] = []
        if step.artifact is OUTLINE:
            for artifact, other in job.steps.items():
                if other.status is StepStatus.PENDING:
                    other.status = StepStatus.QUEUED
                    released.append(Step(job.id, artifact, other.generation))
        job.refresh(now)
        return released

    return change


def record_failure(step: Step, now: datetime, error: ErrorInfo, usage: Usage | None = None) -> Callable[[Job], bool]:
    """Fail the step for good; a failed outline fails the steps waiting for it."""

    def change(job: Job) -> bool:
        if not _holds(job, step):
            return False
        state = job.steps[step.artifact]
        state.status = StepStatus.FAILED
        state.error = error
        state.usage = usage
        state.lease_until = None
        state.finished_at = now
        if step.artifact is OUTLINE:
            for other in job.steps.values():
                if other.status is StepStatus.PENDING:
                    other.status = StepStatus.FAILED
                    other.error = OUTLINE_FAILED
                    other.finished_at = now
        job.refresh(now)
        return True

    return change


def release_for_retry(step: Step, now: datetime, error: ErrorInfo) -> Callable[[Job], bool]:
    """Hand the step back to the queue after a transient failure, keeping the reason visible."""

    def change(job: Job) -> bool:
        if not _holds(job, step):
            return False
        state = job.steps[step.artifact]
        state.status = StepStatus.QUEUED
        state.error = error
        state.lease_until = None
        job.refresh(now)
        return True

    return change


def cancel(now: datetime) -> Callable[[Job], bool]:
    """Cancel every unfinished step; ``False`` when the job had already finished."""

    def change(job: Job) -> bool:
        unfinished = [s for s in job.steps.values() if not s.terminal]
        if not unfinished:
            return False
        job.cancel_requested = True
        for state in unfinished:
            state.status = StepStatus.CANCELLED
            state.lease_until = None
            state.finished_at = now
        job.refresh(now)
        return True

    return change


def retry_failed(now: datetime) -> Callable[[Job], list[Step]]:
    """Queue failed and cancelled steps again under a new generation; return the steps to enqueue."""

    def change(job: Job) -> list[Step]:
        again = [a for a, s in job.steps.items() if s.status in (StepStatus.FAILED, StepStatus.CANCELLED)]
        if not again:
            return []
        job.cancel_requested = False
        outline_again = OUTLINE in again
        runnable: list[Step] = []
        for artifact in again:
            state = job.steps[artifact]
            state.generation += 1
            state.attempts = 0
            state.error = None
            state.usage = None
            state.cached = False
            state.started_at = state.finished_at = None
            waits = outline_again and artifact is not OUTLINE
            state.status = StepStatus.PENDING if waits else StepStatus.QUEUED
            if not waits:
                runnable.append(Step(job.id, artifact, state.generation))
        job.refresh(now)
        return runnable

    return change


def resumable(now: datetime) -> Callable[[Job], list[Step]]:
    """After a restart of the embedded queue: free steps the dead process held, return all runnable steps."""

    def change(job: Job) -> list[Step]:
        runnable: list[Step] = []
        for artifact, state in job.steps.items():
            if state.status is StepStatus.RUNNING:
                state.status = StepStatus.QUEUED
                state.lease_until = None
            if state.status is StepStatus.QUEUED:
                runnable.append(Step(job.id, artifact, state.generation))
        job.refresh(now)
        return runnable

    return change
