"""The sweeper: steps nothing will deliver are enqueued again and finish; jobs past their deadline end, named."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.memory_cache import MemoryCache
from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Principal, Scope
from app.content.catalogue import ArtifactType
from app.errors import ServiceUnavailable
from app.jobs import lifecycle
from app.jobs.models import Job, JobStatus, StepStatus
from app.jobs.queue import Outcome, Step
from app.jobs.schemas import JobCreate
from app.jobs.service import JobsService
from app.observability.metrics import Metrics
from app.worker.pipeline import Pipeline, StepPolicy
from app.worker.sweeper import Sweeper, SweepPolicy
from tests.fixtures.fake_generator import FakeGenerator

OWNER = Principal(owner="alice", key_id="k", scopes=frozenset({Scope.JOBS_WRITE}))
OUTLINE, FAQ = ArtifactType.OUTLINE, ArtifactType.FAQ
LEASE = 0.3


class Held:
    """A queue that keeps what it is given (a task queue whose deliveries each test makes itself)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.down = False

    async def enqueue(self, steps: Sequence[Step]) -> None:
        if self.down:
            raise ServiceUnavailable("The task queue is unavailable.", code="queue_unavailable")
        self.steps.extend(steps)

    async def close(self) -> None:
        return None


class Rig:
    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.queue = Held()
        self.fake = FakeGenerator()
        self.metrics = Metrics()
        self.pipeline = Pipeline(
            store=store,
            queue=self.queue,
            cache=MemoryCache(ttl_seconds=0, max_entries=10),
            generator=self.fake,
            policy=StepPolicy(max_attempts=3, lease_seconds=LEASE),
            metrics=self.metrics,
        )

    def sweeper(self, *, stale: float = 900, deadline: float = 3600) -> Sweeper:
        return Sweeper(self.store, self.queue, SweepPolicy(stale_seconds=stale, job_max_seconds=deadline), self.metrics)

    async def new_job(self) -> Job:
        jobs = JobsService(self.store, self.queue, self.fake, timedelta(days=1))
        job, _ = await jobs.create(OWNER, JobCreate(source_text="Cells divide.", artifacts=["faq"]), None)
        self.queue.steps.clear()
        return job

    async def job(self, job_id: str) -> Job:
        found = await self.store.get_job(job_id)
        assert found is not None
        return found

    async def deliver_all(self) -> None:
        while self.queue.steps:
            await self.pipeline.run_step(self.queue.steps.pop(0))

    def recovered(self, reason: str) -> float:
        value = self.metrics.registry.get_sample_value("cf_steps_recovered_total", {"reason": reason})
        assert value is not None
        return value


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    store = await SqliteStore.open(tmp_path / "sweep.db")
    yield Rig(store)
    await store.close()


async def test_a_step_whose_worker_died_is_enqueued_once_its_lease_runs_out_and_finishes(rig: Rig) -> None:
    job = await rig.new_job()
    # A worker claims the outline and dies: it never renews the lease nor hands the step back.
    await rig.store.update_job(job.id, lifecycle.claim_step(Step(job.id, OUTLINE), datetime.now(UTC), LEASE, "dead:1"))
    assert await rig.sweeper().sweep() == Counter()  # the lease still runs: its holder may be alive
    assert rig.queue.steps == []

    await asyncio.sleep(LEASE * 1.5)
    assert await rig.sweeper().sweep() == Counter({"lease_expired": 1})

    assert rig.queue.steps == [Step(job.id, OUTLINE, 0, recovery=1)]  # a task name Cloud Tasks has not seen
    await rig.deliver_all()
    done = await rig.job(job.id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.steps[OUTLINE].attempts == 2 and done.steps[OUTLINE].worker == rig.pipeline.worker
    assert rig.fake.calls == Counter({OUTLINE: 1, FAQ: 1})
    assert rig.recovered("lease_expired") == 1


async def test_derived_steps_nothing_delivers_are_enqueued_when_stale_and_the_job_succeeds(rig: Rig) -> None:
    job = await rig.new_job()
    assert (await rig.pipeline.run_step(Step(job.id, OUTLINE))).outcome is Outcome.DONE
    # The outline's delivery released the FAQ; suppose its task was lost (the queue's retries ran out, say).
    rig.queue.steps.clear()
    assert (await rig.job(job.id)).steps[FAQ].status is StepStatus.QUEUED
    assert await rig.sweeper(stale=60).sweep() == Counter()  # queued only just now: its task may be on its way

    await asyncio.sleep(0.05)
    assert await rig.sweeper(stale=0.01).sweep() == Counter({"not_delivered": 1})
    await rig.deliver_all()
    assert (await rig.job(job.id)).status is JobStatus.SUCCEEDED
    assert rig.recovered("not_delivered") == 1


async def test_a_job_past_its_deadline_ends_with_its_open_steps_failed_by_name(rig: Rig) -> None:
    job = await rig.new_job()
    await asyncio.sleep(0.05)

    assert await rig.sweeper(deadline=0.01).sweep() == Counter({"deadline": 2})

    done = await rig.job(job.id)
    assert done.status is JobStatus.FAILED
    for state in done.steps.values():
        assert state.status is StepStatus.FAILED
        assert state.error is not None and state.error.code == "job_deadline_exceeded"
    assert rig.recovered("deadline") == 2
    assert rig.metrics.registry.get_sample_value("cf_jobs_finished_total", {"outcome": "failed"}) == 1
    # A delivery that arrives afterwards finds nothing to do.
    assert (await rig.pipeline.run_step(Step(job.id, OUTLINE))).outcome is Outcome.SKIPPED
    assert await rig.sweeper(deadline=0.01).sweep() == Counter()  # finished jobs are not swept again


async def test_a_sweep_that_cannot_enqueue_counts_nothing_and_a_later_one_recovers(rig: Rig) -> None:
    job = await rig.new_job()
    await rig.store.update_job(job.id, lifecycle.claim_step(Step(job.id, OUTLINE), datetime.now(UTC), 0.01))
    await asyncio.sleep(0.05)
    rig.queue.down = True
    assert await rig.sweeper().sweep() == Counter()
    assert rig.recovered("lease_expired") == 0

    rig.queue.down = False
    await asyncio.sleep(0.05)
    assert await rig.sweeper(stale=0.01).sweep() == Counter({"not_delivered": 1})  # queued, and stale again
    await rig.deliver_all()
    assert (await rig.job(job.id)).status is JobStatus.SUCCEEDED


async def test_the_periodic_sweep_keeps_going_after_a_failed_pass(rig: Rig) -> None:
    job = await rig.new_job()
    sweeper = rig.sweeper(stale=0.01)
    passes = 0

    async def unfinished(limit: int) -> list[Job]:
        nonlocal passes
        passes += 1
        if passes == 1:
            raise OSError("the store is away for a moment")
        return await SqliteStore.unfinished_jobs(rig.store, limit)

    rig.store.unfinished_jobs = unfinished  # type: ignore[method-assign]
    running = asyncio.create_task(sweeper.run_every(0.02))
    try:
        for _ in range(200):
            if rig.queue.steps:
                break
            await asyncio.sleep(0.01)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert passes >= 2
    assert rig.queue.steps[0].job_id == job.id and rig.queue.steps[0].artifact is OUTLINE


async def test_a_sweep_that_finds_nothing_writes_nothing(rig: Rig) -> None:
    job = await rig.new_job()
    before = (await rig.job(job.id)).version
    assert await rig.sweeper().sweep() == Counter()
    assert (await rig.job(job.id)).version == before  # no transaction rewrote the job


async def test_in_one_process_a_lapsed_lease_is_a_slow_worker_and_is_left_to_it(rig: Rig) -> None:
    job = await rig.new_job()
    await rig.store.update_job(job.id, lifecycle.claim_step(Step(job.id, OUTLINE), datetime.now(UTC), 0.01, "me:1"))
    await asyncio.sleep(0.05)
    policy = SweepPolicy(stale_seconds=900, job_max_seconds=3600, leases=False)
    assert await Sweeper(rig.store, rig.queue, policy, rig.metrics).sweep() == Counter()
    assert (await rig.job(job.id)).steps[OUTLINE].status is StepStatus.RUNNING


async def test_a_retried_job_has_its_deadline_counted_from_the_retry(rig: Rig) -> None:
    job = await rig.new_job()
    await asyncio.sleep(0.05)
    assert await rig.sweeper(deadline=0.01).sweep() == Counter({"deadline": 2})
    retried = await rig.store.update_job(job.id, lifecycle.retry_failed(datetime.now(UTC)))
    assert retried is not None and retried[1].applied
    assert await rig.sweeper(deadline=30).sweep() == Counter()  # a new run: inside its deadline
    assert (await rig.job(job.id)).status is JobStatus.QUEUED
