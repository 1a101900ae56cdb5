"""Closing the embedded queue as the process stops: steps running get the grace period to finish, the rest are
handed back to the store at once and run at the next start."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.adapters.inline_queue import InlineQueue
from app.adapters.memory_cache import MemoryCache
from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Principal, Scope
from app.content.catalogue import ArtifactType
from app.jobs.models import Job, StepStatus
from app.jobs.queue import Step, StepResult
from app.jobs.schemas import JobCreate
from app.jobs.service import JobsService
from app.worker.pipeline import Pipeline, StepPolicy
from tests.fixtures.fake_generator import FakeGenerator

OWNER = Principal(owner="alice", key_id="k", scopes=frozenset({Scope.JOBS_WRITE}))
OUTLINE = ArtifactType.OUTLINE


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "shutdown.db")
    yield opened
    await opened.close()


def wired(store: SqliteStore, fake: FakeGenerator, *, grace: float, concurrency: int = 1) -> InlineQueue:
    async def handle(step: Step) -> StepResult:
        return await pipeline.run_step(step)

    queue = InlineQueue(
        handle, concurrency=concurrency, retry_base_seconds=0.001, retry_max_seconds=0.01, grace_seconds=grace
    )
    pipeline = Pipeline(
        store=store,
        queue=queue,
        cache=MemoryCache(ttl_seconds=0, max_entries=10),
        generator=fake,
        policy=StepPolicy(max_attempts=3, lease_seconds=600),  # long: nothing here may wait one out
    )
    return queue


async def started_jobs(store: SqliteStore, queue: InlineQueue, fake: FakeGenerator, count: int) -> list[Job]:
    jobs = JobsService(store, queue, fake, timedelta(days=1))
    made = [
        (await jobs.create(OWNER, JobCreate(source_text=f"Cells divide {i}.", artifacts=["outline"]), None))[0]
        for i in range(count)
    ]
    await asyncio.wait_for(fake.started.wait(), timeout=10)
    return made


async def states(store: SqliteStore, jobs: list[Job]) -> list[StepStatus]:
    found = [await store.get_job(job.id) for job in jobs]
    return [job.steps[OUTLINE].status for job in found if job is not None]


async def test_a_step_that_finishes_within_the_grace_period_is_recorded(store: SqliteStore) -> None:
    fake = FakeGenerator(gate=asyncio.Event())
    queue = wired(store, fake, grace=30)
    jobs = await started_jobs(store, queue, fake, 2)  # one slot: the second job's outline waits for it

    closing = asyncio.create_task(queue.close())
    await asyncio.sleep(0.05)
    assert not closing.done()  # the running step gets its grace
    fake.gate.set()  # type: ignore[union-attr]
    await asyncio.wait_for(closing, timeout=10)

    assert await states(store, jobs) == [StepStatus.SUCCEEDED, StepStatus.QUEUED]
    assert fake.calls == Counter({OUTLINE: 1})  # the waiting step did not start on a closing queue


async def test_a_step_still_running_when_the_grace_ends_is_handed_back(store: SqliteStore) -> None:
    fake = FakeGenerator(gate=asyncio.Event())  # never released: the step outlasts the grace
    queue = wired(store, fake, grace=0.1)
    jobs = await started_jobs(store, queue, fake, 1)

    await asyncio.wait_for(queue.close(), timeout=10)

    job = await store.get_job(jobs[0].id)
    assert job is not None
    state = job.steps[OUTLINE]
    assert state.status is StepStatus.QUEUED and state.lease_until is None  # the next start takes it at once
    assert state.error is not None and state.error.code == "worker_stopped"
