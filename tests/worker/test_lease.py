"""Leases while a step runs: renewed as long as the work goes on, lost to a takeover without writing anything,
and one attempt bounded in time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.memory_cache import MemoryCache
from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Principal, Scope
from app.content.catalogue import ArtifactType
from app.jobs import lifecycle
from app.jobs.models import Job, StepStatus
from app.jobs.queue import Outcome, Step
from app.jobs.schemas import JobCreate
from app.jobs.service import JobsService
from app.worker.lease import LeaseLost, StepTimedOut, holding
from app.worker.pipeline import Pipeline, StepPolicy
from tests.fixtures.fake_generator import FakeGenerator

OWNER = Principal(owner="alice", key_id="k", scopes=frozenset({Scope.JOBS_WRITE}))
LEASE = 0.6  # renewed every 0.2 s: short, with room for a loaded machine
OUTLINE = ArtifactType.OUTLINE


class Held:
    """A queue that takes steps and runs nothing: each test delivers the steps itself."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    async def enqueue(self, steps: Sequence[Step]) -> None:
        self.steps.extend(steps)

    async def close(self) -> None:
        return None


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "lease.db")
    yield opened
    await opened.close()


def pipeline_on(store: SqliteStore, fake: FakeGenerator, *, timeout: float = 30.0, attempts: int = 3) -> Pipeline:
    return Pipeline(
        store=store,
        queue=Held(),
        cache=MemoryCache(ttl_seconds=0, max_entries=10),  # no cache: every delivery generates
        generator=fake,
        policy=StepPolicy(max_attempts=attempts, lease_seconds=LEASE, timeout_seconds=timeout),
    )


async def new_job(store: SqliteStore, fake: FakeGenerator) -> Job:
    jobs = JobsService(store, Held(), fake, timedelta(days=1))
    job, _ = await jobs.create(OWNER, JobCreate(source_text="Cells divide.", artifacts=["faq"]), None)
    return job


async def test_a_step_that_runs_longer_than_its_lease_keeps_it(store: SqliteStore) -> None:
    fake = FakeGenerator(gate=asyncio.Event())
    pipeline = pipeline_on(store, fake)
    job = await new_job(store, fake)
    step = Step(job.id, OUTLINE)
    first = asyncio.create_task(pipeline.run_step(step))
    await asyncio.sleep(3 * LEASE)  # three leases long: only renewals keep it
    again = await pipeline.run_step(step)  # a duplicate delivery meanwhile
    assert again.outcome is Outcome.RETRY and again.retry_after is not None and 0 < again.retry_after <= LEASE
    fake.gate.set()  # type: ignore[union-attr]
    assert (await first).outcome is Outcome.DONE
    done = await store.get_job(job.id)
    assert done is not None and done.steps[OUTLINE].status is StepStatus.SUCCEEDED
    assert done.steps[OUTLINE].attempts == 1 and fake.calls[OUTLINE] == 1


async def test_a_worker_whose_step_was_taken_over_stops_and_writes_nothing(store: SqliteStore) -> None:
    fake = FakeGenerator(gate=asyncio.Event())
    pipeline = pipeline_on(store, fake)
    job = await new_job(store, fake)
    step = Step(job.id, OUTLINE)
    stalled = asyncio.create_task(pipeline.run_step(step))
    await asyncio.sleep(LEASE / 2)

    def lease_ran_out(held: Job) -> None:  # as if the worker had stalled past its lease
        held.steps[OUTLINE].lease_until = datetime.now(UTC) - timedelta(seconds=1)

    await store.update_job(job.id, lease_ran_out)
    taken = await store.update_job(job.id, lifecycle.claim_step(step, datetime.now(UTC), 60))
    assert taken is not None and taken[1] == lifecycle.Claim(2)  # another worker holds it now

    result = await asyncio.wait_for(stalled, timeout=30)
    assert result.outcome is Outcome.SKIPPED
    assert await store.get_artifact(job.id, OUTLINE) is None  # nothing written over the new holder's work
    held = await store.get_job(job.id)
    assert held is not None and held.steps[OUTLINE].status is StepStatus.RUNNING
    assert held.steps[OUTLINE].attempts == 2
    fake.gate.set()  # type: ignore[union-attr]


async def test_a_hanging_generation_times_out_is_retried_then_fails_by_name(store: SqliteStore) -> None:
    fake = FakeGenerator(gate=asyncio.Event())  # never set: every generation hangs
    pipeline = pipeline_on(store, fake, timeout=0.2, attempts=2)
    job = await new_job(store, fake)
    step = Step(job.id, OUTLINE)
    first = await pipeline.run_step(step)
    assert first.outcome is Outcome.RETRY and "time limit" in (first.reason or "")
    second = await pipeline.run_step(step)
    assert second.outcome is Outcome.FAILED
    failed = await store.get_job(job.id)
    assert failed is not None and failed.status.value == "failed"
    error = failed.steps[OUTLINE].error
    assert error is not None and error.code == "step_timed_out" and "0.2 s" in error.message
    assert fake.calls[OUTLINE] == 2


async def test_holding_returns_the_result_and_renews_meanwhile() -> None:
    renewals = 0

    async def renew() -> bool:
        nonlocal renewals
        renewals += 1
        return True

    async def work() -> str:
        await asyncio.sleep(0.25)
        return "done"

    assert await holding(work(), renew=renew, lease=0.15, limit_seconds=5) == "done"
    assert renewals >= 2  # every third of the lease


async def test_holding_stops_the_work_when_a_renewal_fails() -> None:
    stopped = asyncio.Event()

    async def work() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            stopped.set()

    async def lost() -> bool:
        return False

    with pytest.raises(LeaseLost):
        await holding(work(), renew=lost, lease=0.15, limit_seconds=5)
    assert stopped.is_set()


async def test_holding_bounds_the_work() -> None:
    async def renew() -> bool:
        return True

    with pytest.raises(StepTimedOut) as timed_out:
        await holding(asyncio.sleep(60), renew=renew, lease=10, limit_seconds=0.1)
    assert timed_out.value.transient and timed_out.value.code == "step_timeout"


async def test_a_step_cancelled_by_a_stopping_process_is_handed_back_at_once(store: SqliteStore) -> None:
    fake = FakeGenerator(gate=asyncio.Event())
    pipeline = pipeline_on(store, fake)
    job = await new_job(store, fake)
    step = Step(job.id, OUTLINE)
    running = asyncio.create_task(pipeline.run_step(step))
    await asyncio.sleep(LEASE / 2)
    running.cancel()  # what shutdown does to the work in flight
    with pytest.raises(asyncio.CancelledError):
        await running
    handed_back = await store.get_job(job.id)
    assert handed_back is not None
    state = handed_back.steps[OUTLINE]
    assert state.status is StepStatus.QUEUED and state.lease_until is None
    assert state.error is not None and state.error.code == "worker_stopped"
    fake.gate.set()  # type: ignore[union-attr]
    again = await pipeline.run_step(step)  # the next delivery takes it at once: no lease to wait out
    assert again.outcome is Outcome.DONE
