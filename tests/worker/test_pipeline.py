"""The pipeline's paths: success, transient and permanent failures, duplicates, cancellation and resumption."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.inline_queue import InlineQueue
from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Principal, Scope
from app.content.catalogue import ArtifactType
from app.errors import ServiceUnavailable
from app.jobs import lifecycle
from app.jobs.models import Job, StepStatus
from app.jobs.queue import Outcome, Step, StepResult
from app.jobs.schemas import JobCreate
from app.jobs.service import JobsService
from app.worker.pipeline import Pipeline
from app.worker.sweeper import Sweeper, SweepPolicy
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.pipeline import inline_pipeline

OWNER = Principal(owner="alice", key_id="k", scopes=frozenset({Scope.ADMIN}))
MAX_ATTEMPTS = 3


@dataclass
class Rig:
    store: SqliteStore
    queue: InlineQueue
    pipeline: Pipeline
    jobs: JobsService
    fake: FakeGenerator

    async def run(self, **body: object) -> Job:
        job, _ = await self.jobs.create(OWNER, JobCreate.model_validate({"source_text": "Cells divide.", **body}), None)
        await self.queue.drain()
        finished = await self.store.get_job(job.id)
        assert finished is not None
        return finished


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    store = await SqliteStore.open(tmp_path / "p.db")
    fake = FakeGenerator()
    pipeline, queue = inline_pipeline(store, fake, attempts=MAX_ATTEMPTS)
    jobs = JobsService(store, queue, fake, timedelta(days=1))
    yield Rig(store, queue, pipeline, jobs, fake)
    await queue.close()
    await store.close()


async def test_all_steps_succeed_and_each_artifact_is_generated_once(rig: Rig) -> None:
    job = await rig.run()
    assert job.status.value == "succeeded"
    assert set(rig.fake.calls.values()) == {1}
    assert len(rig.fake.calls) == 9  # every artifact type


async def test_transient_failures_are_retried_then_recorded_once(rig: Rig) -> None:
    rig.fake.transient = {ArtifactType.FAQ: 2}
    job = await rig.run()
    faq = job.steps[ArtifactType.FAQ]
    assert job.status.value == "succeeded"
    assert faq.attempts == 3
    assert faq.error is None
    assert rig.fake.calls[ArtifactType.FAQ] == 3


async def test_transient_failures_past_the_limit_fail_the_artifact(rig: Rig) -> None:
    rig.fake.transient = {ArtifactType.FLASHCARDS: 100}
    job = await rig.run()
    cards = job.steps[ArtifactType.FLASHCARDS]
    assert job.status.value == "partial"
    assert cards.status is StepStatus.FAILED
    assert cards.error is not None and cards.error.code == "retries_exhausted"
    assert "overloaded" in cards.error.message
    assert rig.fake.calls[ArtifactType.FLASHCARDS] == MAX_ATTEMPTS


async def test_permanent_failure_is_recorded_without_retry(rig: Rig) -> None:
    rig.fake.permanent = {ArtifactType.PODCAST_SCRIPT}
    job = await rig.run()
    step = job.steps[ArtifactType.PODCAST_SCRIPT]
    assert step.error is not None and step.error.code == "policy_refusal"
    assert rig.fake.calls[ArtifactType.PODCAST_SCRIPT] == 1


async def test_invalid_output_fails_with_the_validation_errors(rig: Rig) -> None:
    rig.fake.invalid = {ArtifactType.ONE_PAGER}
    job = await rig.run()
    step = job.steps[ArtifactType.ONE_PAGER]
    assert step.error is not None and step.error.code == "invalid_output"
    assert "title" in step.error.message
    assert rig.fake.calls[ArtifactType.ONE_PAGER] == 1


async def test_unexpected_errors_are_retried_then_recorded(rig: Rig) -> None:
    rig.fake.crash = {ArtifactType.STUDY_GUIDE}
    job = await rig.run()
    step = job.steps[ArtifactType.STUDY_GUIDE]
    assert step.error is not None and step.error.code == "internal_error"
    assert "boom" not in step.error.message  # no internals leak to users
    assert rig.fake.calls[ArtifactType.STUDY_GUIDE] == MAX_ATTEMPTS


async def test_a_failed_outline_fails_the_job_and_its_dependents(rig: Rig) -> None:
    rig.fake.permanent = {ArtifactType.OUTLINE}
    job = await rig.run()
    assert job.status.value == "failed"
    assert job.error is not None and job.error.code == "policy_refusal"
    others = [s for a, s in job.steps.items() if a is not ArtifactType.OUTLINE]
    assert {s.error.code for s in others if s.error} == {"outline_failed"}
    assert sum(rig.fake.calls.values()) == 1


async def test_a_repeated_delivery_of_a_finished_step_does_nothing(rig: Rig) -> None:
    job = await rig.run()
    result = await rig.pipeline.run_step(Step(job.id, ArtifactType.FAQ, 0))
    assert result.outcome is Outcome.SKIPPED
    assert rig.fake.calls[ArtifactType.FAQ] == 1


async def test_a_stale_generation_is_skipped(rig: Rig) -> None:
    rig.fake.permanent = {ArtifactType.FAQ}
    job = await rig.run()
    await rig.jobs.retry(OWNER, job.id)
    await rig.queue.drain()
    stale = await rig.pipeline.run_step(Step(job.id, ArtifactType.FAQ, 0))
    assert stale.outcome is Outcome.SKIPPED


async def test_a_step_of_a_deleted_job_is_skipped(rig: Rig) -> None:
    result = await rig.pipeline.run_step(Step("job_gone", ArtifactType.OUTLINE, 0))
    assert result.outcome is Outcome.SKIPPED


async def test_resume_finishes_steps_a_stopped_process_held(rig: Rig) -> None:
    import asyncio

    rig.fake.gate = asyncio.Event()
    job, _ = await rig.jobs.create(OWNER, JobCreate(source_text="Cells divide."), None)
    for _ in range(400):
        await asyncio.sleep(0.005)
        current = await rig.store.get_job(job.id)
        if current and current.steps[ArtifactType.OUTLINE].status is StepStatus.RUNNING:
            break
    await rig.queue.close()  # the process stops mid-step: the outline is handed back (a SIGKILL: see e2e)
    held = await rig.store.get_job(job.id)
    assert held is not None and held.steps[ArtifactType.OUTLINE].status is StepStatus.QUEUED

    rig.fake.gate.set()

    async def handle(step: Step) -> StepResult:
        return await restarted.run_step(step)

    fresh = InlineQueue(handle, concurrency=2, retry_base_seconds=0.001, retry_max_seconds=0.01)
    restarted = replace(rig.pipeline, queue=fresh)  # the process that starts again, with its own queue
    sweeper = Sweeper(rig.store, fresh, SweepPolicy(stale_seconds=900, job_max_seconds=3600))
    assert await sweeper.restart() == 1
    await fresh.drain()
    done = await rig.store.get_job(job.id)
    assert done is not None and done.status.value == "succeeded"
    assert done.steps[ArtifactType.OUTLINE].attempts == 2
    await fresh.close()


async def test_a_busy_step_asks_to_be_retried_after_its_lease(rig: Rig) -> None:
    job, _ = await rig.jobs.create(OWNER, JobCreate(source_text="Cells divide."), None)
    await rig.queue.close()
    step = Step(job.id, ArtifactType.OUTLINE, 0)
    now = datetime.now(UTC)
    await rig.store.update_job(job.id, lifecycle.resumable(now))
    await rig.store.update_job(job.id, lifecycle.claim_step(step, now, 600))
    result = await rig.pipeline.run_step(step)
    assert result.outcome is Outcome.RETRY
    assert result.retry_after is not None and 0 < result.retry_after <= 600


class FailingOnce:
    """A queue that refuses the first batch of derived steps, as Cloud Tasks might for a moment."""

    def __init__(self, inner: InlineQueue) -> None:
        self.inner = inner
        self.refused: list[Step] = []

    async def enqueue(self, steps: Sequence[Step]) -> None:
        if not self.refused and any(s.artifact is not ArtifactType.OUTLINE for s in steps):
            self.refused = list(steps)
            raise ServiceUnavailable("the queue is down", code="queue_unavailable")
        await self.inner.enqueue(steps)

    async def close(self) -> None:
        await self.inner.close()


async def test_derived_steps_whose_enqueue_failed_are_enqueued_when_the_outline_is_delivered_again(
    tmp_path: Path,
) -> None:
    store = await SqliteStore.open(tmp_path / "flaky.db")
    fake = FakeGenerator()
    pipeline, inner = inline_pipeline(store, fake, attempts=MAX_ATTEMPTS, queue_around=FailingOnce)
    queue = pipeline.queue
    assert isinstance(queue, FailingOnce)
    jobs = JobsService(store, queue, fake, timedelta(days=1))
    try:
        job, _ = await jobs.create(OWNER, JobCreate(source_text="Cells divide."), None)
        await inner.drain()
        done = await store.get_job(job.id)
        assert queue.refused  # the first enqueue of the derived steps did fail
        assert done is not None and done.status.value == "succeeded"
        assert set(fake.calls.values()) == {1}  # and nothing was generated twice
    finally:
        await queue.close()
        await store.close()
