"""Changes to a job, as plain functions applied inside a store transaction (``JobStore.update_job``).

Each returns what it did — a ``Changed``: whether it applied, the steps it released to enqueue, and the status it
finished the job with, if it finished it — and leaves the job's derived status fresh, its version one higher.
Callers act on that (enqueue, count a finished job) after the transaction commits. A change may run more than
once per call (a retried transaction), so it reads only the job and its arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.content.catalogue import ArtifactType
from app.content.generator import Usage
from app.jobs.models import FINISHED_JOBS, ErrorInfo, Job, JobStatus, StepState, StepStatus
from app.jobs.queue import Step

OUTLINE = ArtifactType.OUTLINE
PODCAST = ArtifactType.PODCAST_SCRIPT  # its audio step waits for it, as every other step waits for the outline
OUTLINE_FAILED = ErrorInfo(
    code="outline_failed", message="The outline could not be generated, so this artifact was not attempted."
)
SCRIPT_FAILED = ErrorInfo(
    code="podcast_script_failed", message="The podcast script could not be written, so it was not read aloud."
)


@dataclass(frozen=True, slots=True)
class Changed:
    applied: bool
    released: tuple[Step, ...] = ()  # steps this change made runnable: enqueue them
    finished: JobStatus | None = None  # set when this change took the job from unfinished to finished


UNCHANGED = Changed(applied=False)


def _changed(job: Job, before: JobStatus, now: datetime, released: list[Step] | None = None) -> Changed:
    job.refresh(now)
    finished = job.status if before not in FINISHED_JOBS and job.status in FINISHED_JOBS else None
    return Changed(True, tuple(released or ()), finished)


def state_of(job: Job, step: Step) -> StepState | None:
    """The state of the step's part of the job: its artifact's, or that artifact's audio."""
    return job.audio if step.audio else job.steps.get(step.artifact)


def queued(job: Job, artifact: ArtifactType, now: datetime, *, audio: bool = False) -> Step:
    """Make the artifact's step (or its audio step) runnable (``queued``, no lease, stamped) and return the step
    to enqueue."""
    step = waiting(job, artifact, audio=audio)
    state = state_of(job, step)
    assert state is not None  # callers name a part the job has
    state.status = StepStatus.QUEUED
    state.lease_until = None
    state.queued_at = now
    return step


def waiting(job: Job, artifact: ArtifactType, *, audio: bool = False) -> Step:
    """The step that carries the part's current state: generation, and the task name it was last sent as."""
    state = job.audio if audio else job.steps[artifact]
    assert state is not None
    return Step(job.id, artifact, state.generation, state.recoveries, audio=audio)


def queued_steps(job: Job) -> list[Step]:
    """The job's steps waiting to run, as they were last enqueued (to enqueue again, deduplicated)."""
    return [waiting(job, a, audio=audio) for a, audio, s in job.parts() if s.status is StepStatus.QUEUED]


@dataclass(frozen=True, slots=True)
class Claim:
    attempt: int


@dataclass(frozen=True, slots=True)
class Busy:
    """Another worker holds the step; its lease ends in ``seconds``."""

    seconds: float


def claim_step(
    step: Step, now: datetime, lease_seconds: float, worker: str | None = None
) -> Callable[[Job], Claim | Busy | None]:
    """Take the step for ``worker``, or say why not: ``None`` when there is nothing to do."""

    def change(job: Job) -> Claim | Busy | None:
        state = state_of(job, step)
        if state is None or job.cancel_requested or state.generation != step.generation or state.terminal:
            return None
        if state.status is StepStatus.PENDING:
            return None  # what it waits for (the outline, the script) is not done; that step enqueues it
        if state.status is StepStatus.RUNNING and state.lease_until is not None and state.lease_until > now:
            return Busy((state.lease_until - now).total_seconds())
        state.status = StepStatus.RUNNING
        state.attempts += 1
        state.lease_until = now + timedelta(seconds=lease_seconds)
        state.worker = worker
        state.started_at = state.started_at or now
        job.refresh(now)
        return Claim(state.attempts)

    return change


def _holds(job: Job, step: Step, attempt: int | None = None) -> bool:
    """Whether the step is still running under this claim: same generation, not cancelled, and — when the
    claim's attempt is given — not taken over since by another worker (each claim counts a new attempt)."""
    state = state_of(job, step)
    return (
        state is not None
        and state.status is StepStatus.RUNNING
        and state.generation == step.generation
        and not job.cancel_requested
        and (attempt is None or state.attempts == attempt)
    )


def renew_lease(step: Step, attempt: int, now: datetime, lease_seconds: float) -> Callable[[Job], bool]:
    """Extend the lease of a step this worker still holds; ``False`` when it no longer does (cancelled, or taken
    over after its lease ran out). The job's public state does not change, so neither does its version."""

    def change(job: Job) -> bool:
        if not _holds(job, step, attempt):
            return False
        state = state_of(job, step)
        assert state is not None  # ``_holds``
        state.lease_until = now + timedelta(seconds=lease_seconds)
        return True

    return change


def record_success(
    step: Step, now: datetime, *, cached: bool, usage: Usage, attempt: int | None = None
) -> Callable[[Job], Changed]:
    """Mark the step succeeded; for the outline, release the dependent steps to enqueue, and for the podcast
    script its audio step, if the job has one."""

    def change(job: Job) -> Changed:
        if not _holds(job, step, attempt):
            return UNCHANGED
        before = job.status
        state = state_of(job, step)
        assert state is not None  # ``_holds``
        state.status = StepStatus.SUCCEEDED
        state.cached = cached
        state.usage = _plus(state.usage, usage)
        state.error = None
        state.lease_until = None
        state.finished_at = now
        released: list[Step] = []
        if step.artifact is OUTLINE:
            for artifact, other in job.steps.items():
                if other.status is StepStatus.PENDING:
                    released.append(queued(job, artifact, now))
        audio = job.audio
        if step.artifact is PODCAST and not step.audio and audio is not None and audio.status is StepStatus.PENDING:
            released.append(queued(job, PODCAST, now, audio=True))
        return _changed(job, before, now, released)

    return change


def record_failure(
    step: Step, now: datetime, error: ErrorInfo, usage: Usage | None = None, *, attempt: int | None = None
) -> Callable[[Job], Changed]:
    """Fail the step for good; a failed outline fails the steps waiting for it, and a failed podcast script its
    audio step."""

    def change(job: Job) -> Changed:
        if not _holds(job, step, attempt):
            return UNCHANGED
        before = job.status
        state = state_of(job, step)
        assert state is not None  # ``_holds``
        state.status = StepStatus.FAILED
        state.error = error
        state.usage = state.usage if usage is None else _plus(state.usage, usage)
        state.lease_until = None
        state.finished_at = now
        waiting_for_it: list[StepState] = []
        if step.artifact is OUTLINE:
            waiting_for_it = [other for _, _, other in job.parts()]
        elif step.artifact is PODCAST and not step.audio and job.audio is not None:
            waiting_for_it = [job.audio]
        for other in waiting_for_it:
            if other.status is StepStatus.PENDING:
                other.status = StepStatus.FAILED
                other.error = OUTLINE_FAILED if step.artifact is OUTLINE else SCRIPT_FAILED
                other.finished_at = now
        return _changed(job, before, now)

    return change


def release_for_retry(
    step: Step, now: datetime, error: ErrorInfo, *, attempt: int | None = None
) -> Callable[[Job], Changed]:
    """Hand the step back to the queue after a transient failure, keeping the reason visible."""

    def change(job: Job) -> Changed:
        if not _holds(job, step, attempt):
            return UNCHANGED
        before = job.status
        state = state_of(job, step)
        assert state is not None  # ``_holds``
        state.error = error
        queued(job, step.artifact, now, audio=step.audio)
        return _changed(job, before, now)

    return change


def add_usage(artifact: ArtifactType, now: datetime, usage: Usage) -> Callable[[Job], Changed]:
    """Count what a generation spent on the artifact, as it returns: whatever became of the step or the job
    meanwhile (cancelled, superseded, failed), the tokens were spent."""

    def change(job: Job) -> Changed:
        state = job.steps.get(artifact)
        if state is None:
            return UNCHANGED
        before = job.status
        state.usage = _plus(state.usage, usage)
        return _changed(job, before, now)

    return change


def _plus(spent: Usage | None, more: Usage) -> Usage:
    return more if spent is None else spent + more


def cancel(now: datetime) -> Callable[[Job], Changed]:
    """Cancel every unfinished step; not applied when the job had already finished."""

    def change(job: Job) -> Changed:
        unfinished = [s for _, _, s in job.parts() if not s.terminal]
        if not unfinished:
            return UNCHANGED
        before = job.status
        job.cancel_requested = True
        for state in unfinished:
            state.status = StepStatus.CANCELLED
            state.lease_until = None
            state.finished_at = now
        return _changed(job, before, now)

    return change


def retry_failed(now: datetime) -> Callable[[Job], Changed]:
    """Queue failed and cancelled steps again under a new generation, releasing the ones to enqueue."""

    def change(job: Job) -> Changed:
        again = [(a, audio, s) for a, audio, s in job.parts() if s.status in (StepStatus.FAILED, StepStatus.CANCELLED)]
        if not again:
            return UNCHANGED
        before = job.status
        job.cancel_requested = False
        job.retried_at = now  # a new run: its deadline starts now
        outline_again = any(a is OUTLINE for a, _, _ in again)
        script_again = any(a is PODCAST and not audio for a, audio, _ in again)
        runnable: list[Step] = []
        for artifact, audio, state in again:
            state.generation += 1
            state.attempts = state.recoveries = 0
            state.error = None
            state.cached = False  # its usage stays: what the earlier attempts spent is still spent
            state.started_at = state.finished_at = None
            if (outline_again and artifact is not OUTLINE) or (audio and script_again):
                state.status = StepStatus.PENDING
            else:
                runnable.append(queued(job, artifact, now, audio=audio))
        return _changed(job, before, now, runnable)

    return change


def resumable(now: datetime) -> Callable[[Job], Changed]:
    """After a restart of the embedded queue: free steps the dead process held, release all runnable steps."""

    def change(job: Job) -> Changed:
        before = job.status
        runnable: list[Step] = []
        freed = False
        for artifact, audio, state in job.parts():
            if state.status is StepStatus.RUNNING:
                runnable.append(queued(job, artifact, now, audio=audio))
                freed = True
            elif state.status is StepStatus.QUEUED:
                runnable.append(waiting(job, artifact, audio=audio))
        if not freed:  # the job is as it was: its queued steps are only enqueued again
            return Changed(applied=False, released=tuple(runnable))
        return _changed(job, before, now, runnable)

    return change


JOB_DEADLINE = "job_deadline_exceeded"


def expire(now: datetime, max_seconds: float) -> Callable[[Job], Changed]:
    """Fail every unfinished step of a job whose run (since its creation, or its last retry) is older than
    ``max_seconds``, naming the deadline; not applied to a job still inside it. A worker still running one of
    the steps loses its claim and writes nothing."""

    def change(job: Job) -> Changed:
        unfinished = [s for _, _, s in job.parts() if not s.terminal]
        if not unfinished or now - job.started <= timedelta(seconds=max_seconds):
            return UNCHANGED
        before = job.status
        error = ErrorInfo(
            code=JOB_DEADLINE,
            message=f"The job did not finish within {max_seconds:g} seconds of its start (or last retry), so this "
            "artifact was stopped.",
        )
        for state in unfinished:
            state.status = StepStatus.FAILED
            state.error = error
            state.lease_until = None
            state.finished_at = now
        return _changed(job, before, now)

    return change


@dataclass(frozen=True, slots=True)
class Recovered:
    """What ``recover`` did: the job change, and why each step it enqueued again was stranded."""

    changed: Changed
    reasons: tuple[str, ...] = ()


LEASE_EXPIRED = "lease_expired"  # running, but its worker stopped renewing: the instance died
NOT_DELIVERED = "not_delivered"  # queued for longer than any delivery takes: its task was lost or gave up


def recover(now: datetime, stale_seconds: float, *, leases: bool = True) -> Callable[[Job], Recovered]:
    """Enqueue again, under a new task name, each step nothing will deliver: running under an expired lease
    (unless ``leases`` is off: in one process, a lapsed lease means a slow worker, not a dead one), or queued
    for more than ``stale_seconds`` (longer than the queue's longest retry backoff)."""

    def change(job: Job) -> Recovered:
        if job.cancel_requested:
            return Recovered(UNCHANGED)
        before = job.status
        stale = now - timedelta(seconds=stale_seconds)
        released: list[Step] = []
        reasons: list[str] = []
        for artifact, audio, state in job.parts():
            reason = _stranded_as(job, state, now, stale, leases)
            if reason is None:
                continue
            state.recoveries += 1
            released.append(queued(job, artifact, now, audio=audio))
            reasons.append(reason)
        if not released:
            return Recovered(UNCHANGED)
        return Recovered(_changed(job, before, now, released), tuple(reasons))

    return change


def stranded(job: Job, now: datetime, stale_seconds: float, *, leases: bool = True) -> bool:
    """Whether ``recover`` would find anything in this job, read from a snapshot (so that a sweep writes only
    the jobs it changes)."""
    if job.cancel_requested:
        return False
    stale = now - timedelta(seconds=stale_seconds)
    return any(_stranded_as(job, state, now, stale, leases) is not None for _, _, state in job.parts())


def _stranded_as(job: Job, state: StepState, now: datetime, stale: datetime, leases: bool) -> str | None:
    """Why nothing will deliver this step (``LEASE_EXPIRED``, ``NOT_DELIVERED``), or ``None``."""
    lapsed = state.status is StepStatus.RUNNING and (state.lease_until is None or state.lease_until <= now)
    if leases and lapsed:
        return LEASE_EXPIRED
    if state.status is StepStatus.QUEUED and (state.queued_at or job.updated_at) <= stale:
        return NOT_DELIVERED
    return None


def titled(change: Callable[[Job], Changed], title: str) -> Callable[[Job], Changed]:
    """``change``, and when it applies, the outline's title for a job that has no source's title."""

    def apply(job: Job) -> Changed:
        done = change(job)
        if done.applied and title.strip() and not job.titled_by_source:
            job.title = title.strip()[:120]
        return done

    return apply
