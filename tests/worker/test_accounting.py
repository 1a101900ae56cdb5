"""What a step spends is charged where it is spent: each generation's tokens to the job's key, once, whatever then
becomes of the job; and each finished job is counted once in the metrics, however often its last step is delivered.

The rig is the embedded stack (SQLite store, memory cache, inline queue) with the real ``Quotas`` over the store,
the real ``Metrics`` and a generator that reports what each generation spent.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from app.adapters.inline_queue import InlineQueue
from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Principal, Scope
from app.content.catalogue import ArtifactType
from app.content.generator import (
    GenerationError,
    PermanentGenerationError,
    TransientGenerationError,
    Usage,
)
from app.jobs.models import Job, StepStatus
from app.jobs.queue import Outcome, Step
from app.jobs.schemas import JobCreate
from app.jobs.service import JobsService
from app.limits.quotas import Quotas, UsageCounter
from app.observability.metrics import Metrics
from app.worker.pipeline import Pipeline
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.pipeline import inline_pipeline

KEY = "key_accounting"
OWNER = Principal(owner="alice", key_id=KEY, scopes=frozenset({Scope.ADMIN}))
NOW = datetime(2030, 5, 17, 12, 0, tzinfo=UTC)  # the quotas' clock: usage is read back for this day
TODAY = NOW.date()
MAX_ATTEMPTS = 3
SPENT = Usage(input_tokens=100, output_tokens=20, llm_calls=1)  # what every successful generation reports
PER_GENERATION = SPENT.input_tokens + SPENT.output_tokens
OUTLINE, FAQ = ArtifactType.OUTLINE, ArtifactType.FAQ


class BrokenCounter:
    """A usage store that cannot record (its database is gone, say); it reads as nothing used."""

    def __init__(self) -> None:
        self.attempts = 0

    async def add_usage(self, subject: str, day: date, tokens: int) -> None:
        self.attempts += 1
        raise ConnectionError("the usage store is unreachable")

    async def usage(self, subject: str, day: date) -> int:
        return 0


@dataclass
class Rig:
    store: SqliteStore
    queue: InlineQueue
    pipeline: Pipeline
    jobs: JobsService
    generator: FakeGenerator
    metrics: Metrics

    async def create(self, **body: object) -> Job:
        request = JobCreate.model_validate({"source_text": "Cells divide.", "artifacts": ["faq"], **body})
        job, created = await self.jobs.create(OWNER, request, None)
        assert created
        return job

    async def run(self, **body: object) -> Job:
        job = await self.create(**body)
        await self.queue.drain()
        return await self.job(job.id)

    async def job(self, job_id: str) -> Job:
        found = await self.store.get_job(job_id)
        assert found is not None, f"job {job_id} is gone"
        return found

    async def charged(self, key_id: str = KEY) -> int:
        return await self.store.usage(key_id, TODAY)

    async def wait_until_generating(self) -> None:
        await asyncio.wait_for(self.generator.started.wait(), timeout=30)

    def jobs_finished(self, outcome: str) -> float:
        text = self.metrics.exposition().decode()
        found = [
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "cf_jobs_finished_total" and sample.labels.get("outcome") == outcome
        ]
        assert len(found) == 1, f"no single cf_jobs_finished_total{{outcome={outcome!r}}} in:\n{text}"
        return found[0]

    def tokens_metric(self, direction: str) -> float:
        text = self.metrics.exposition().decode()
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "cf_llm_tokens_total" and sample.labels.get("direction") == direction
        )


@asynccontextmanager
async def open_rig(
    tmp_path: Path, generator: FakeGenerator | None = None, *, usage: UsageCounter | None = None
) -> AsyncIterator[Rig]:
    """The rig; ``usage`` replaces the store as what the quotas record into."""
    store = await SqliteStore.open(tmp_path / "accounting.db")
    generator = generator or FakeGenerator(spent=SPENT)
    metrics = Metrics()
    pipeline, queue = inline_pipeline(
        store, generator, attempts=MAX_ATTEMPTS, quotas=Quotas(usage or store, now=lambda: NOW), metrics=metrics
    )
    jobs = JobsService(store, queue, generator, timedelta(days=1), counter=metrics)
    try:
        yield Rig(store, queue, pipeline, jobs, generator, metrics)
    finally:
        if generator.gate is not None:
            generator.gate.set()  # nothing left waiting when the test failed midway
        await queue.close()
        await store.close()


# --- tokens ------------------------------------------------------------------------------------------------


async def test_each_generation_is_charged_once_to_the_jobs_key(tmp_path: Path) -> None:
    async with open_rig(tmp_path) as rig:
        job = await rig.run()
        assert job.status.value == "succeeded"
        assert rig.generator.calls == Counter({OUTLINE: 1, FAQ: 1})
        assert await rig.charged() == 2 * PER_GENERATION
        assert await rig.charged("someone_else") == 0
        assert rig.tokens_metric("input") == 2 * SPENT.input_tokens
        assert rig.tokens_metric("output") == 2 * SPENT.output_tokens


async def test_a_repeated_delivery_of_a_finished_step_charges_nothing_more(tmp_path: Path) -> None:
    async with open_rig(tmp_path) as rig:
        job = await rig.run()
        assert await rig.charged() == 2 * PER_GENERATION
        for _ in range(3):
            for artifact in (OUTLINE, FAQ):
                result = await rig.pipeline.run_step(Step(job.id, artifact, 0))
                assert result.outcome is Outcome.SKIPPED
        await rig.queue.drain()
        assert await rig.charged() == 2 * PER_GENERATION
        assert rig.generator.calls == Counter({OUTLINE: 1, FAQ: 1})
        assert rig.tokens_metric("input") == 2 * SPENT.input_tokens


async def test_a_duplicate_delivery_while_the_step_runs_charges_nothing(tmp_path: Path) -> None:
    async with open_rig(tmp_path, FakeGenerator(spent=SPENT, gate=asyncio.Event())) as rig:
        job = await rig.create(artifacts=["outline"])
        await rig.wait_until_generating()
        duplicate = await rig.pipeline.run_step(Step(job.id, OUTLINE, 0))
        assert duplicate.outcome is Outcome.RETRY  # held by the first delivery
        assert rig.generator.gate is not None
        rig.generator.gate.set()
        await rig.queue.drain()
        assert (await rig.job(job.id)).status.value == "succeeded"
        assert rig.generator.calls == Counter({OUTLINE: 1})
        assert await rig.charged() == PER_GENERATION


async def test_tokens_of_a_step_that_finishes_after_its_job_was_cancelled_are_charged(tmp_path: Path) -> None:
    async with open_rig(tmp_path, FakeGenerator(spent=SPENT, gate=asyncio.Event())) as rig:
        job = await rig.create()
        await rig.wait_until_generating()  # the outline is being generated
        cancelled = await rig.jobs.cancel(OWNER, job.id)
        assert cancelled.status.value == "cancelled"
        assert await rig.charged() == 0  # nothing spent yet

        assert rig.generator.gate is not None
        rig.generator.gate.set()  # the generation returns, its tokens spent
        await rig.queue.drain()

        final = await rig.job(job.id)
        assert final.status.value == "cancelled"
        assert final.steps[OUTLINE].status is StepStatus.CANCELLED
        assert rig.generator.calls == Counter({OUTLINE: 1})  # the FAQ was never started
        assert await rig.charged() == PER_GENERATION


async def test_tokens_of_a_step_whose_job_was_deleted_meanwhile_are_charged(tmp_path: Path) -> None:
    async with open_rig(tmp_path, FakeGenerator(spent=SPENT, gate=asyncio.Event())) as rig:
        job = await rig.create()
        await rig.wait_until_generating()
        await rig.jobs.delete(OWNER, job.id)
        assert await rig.store.get_job(job.id) is None

        assert rig.generator.gate is not None
        rig.generator.gate.set()
        await rig.queue.drain()

        assert await rig.store.get_job(job.id) is None  # still gone, its late artifact with it
        assert await rig.store.get_artifact(job.id, OUTLINE) is None
        assert rig.generator.calls == Counter({OUTLINE: 1})
        assert await rig.charged() == PER_GENERATION


async def test_a_transient_failure_charges_what_it_spent_and_the_retry_its_own(tmp_path: Path) -> None:
    failed = Usage(input_tokens=70, output_tokens=3, llm_calls=1)
    generator = FakeGenerator(
        spent=SPENT,
        failures={OUTLINE: [TransientGenerationError("The provider is overloaded.", retry_after=0, usage=failed)]},
    )
    async with open_rig(tmp_path, generator) as rig:
        job = await rig.run()
        assert job.status.value == "succeeded"
        assert job.steps[OUTLINE].attempts == 2
        assert rig.generator.calls == Counter({OUTLINE: 2, FAQ: 1})
        assert await rig.charged() == 73 + 2 * PER_GENERATION
        assert rig.tokens_metric("input") == 70 + 2 * SPENT.input_tokens


async def test_a_transient_failure_without_usage_charges_nothing_for_it(tmp_path: Path) -> None:
    generator = FakeGenerator(
        spent=SPENT, failures={FAQ: [TransientGenerationError("The provider is overloaded.", retry_after=0)]}
    )
    async with open_rig(tmp_path, generator) as rig:
        job = await rig.run()
        assert job.status.value == "succeeded"
        assert rig.generator.calls == Counter({OUTLINE: 1, FAQ: 2})
        assert await rig.charged() == 2 * PER_GENERATION


async def test_every_attempt_of_a_step_that_runs_out_of_retries_is_charged(tmp_path: Path) -> None:
    failures: list[GenerationError] = [
        TransientGenerationError("The provider is overloaded.", retry_after=0, usage=Usage(input_tokens=10))
        for _ in range(MAX_ATTEMPTS)
    ]
    async with open_rig(tmp_path, FakeGenerator(spent=SPENT, failures={FAQ: failures})) as rig:
        job = await rig.run()
        assert job.status.value == "partial"
        error = job.steps[FAQ].error
        assert error is not None and error.code == "retries_exhausted"
        assert rig.generator.calls[FAQ] == MAX_ATTEMPTS
        assert await rig.charged() == PER_GENERATION + MAX_ATTEMPTS * 10


async def test_a_permanent_failure_charges_what_it_spent(tmp_path: Path) -> None:
    refused = PermanentGenerationError("Refused.", code="policy_refusal", usage=Usage(input_tokens=40, output_tokens=2))
    async with open_rig(tmp_path, FakeGenerator(spent=SPENT, failures={FAQ: [refused]})) as rig:
        job = await rig.run()
        assert job.status.value == "partial"
        assert rig.generator.calls == Counter({OUTLINE: 1, FAQ: 1})
        assert await rig.charged() == PER_GENERATION + 42


async def test_a_cache_hit_charges_nothing(tmp_path: Path) -> None:
    async with open_rig(tmp_path) as rig:
        first = await rig.run()
        assert await rig.charged() == 2 * PER_GENERATION
        second = await rig.run()  # the same request again: every artifact from the cache
        assert second.id != first.id
        assert second.status.value == "succeeded"
        assert all(state.cached for state in second.steps.values())
        assert rig.generator.calls == Counter({OUTLINE: 1, FAQ: 1})
        assert await rig.charged() == 2 * PER_GENERATION


async def test_a_failure_to_record_usage_does_not_fail_the_step(tmp_path: Path) -> None:
    broken = BrokenCounter()
    async with open_rig(tmp_path, usage=broken) as rig:
        job = await rig.run()
        assert job.status.value == "succeeded"
        assert {a: s.attempts for a, s in job.steps.items()} == {OUTLINE: 1, FAQ: 1}  # not retried either
        assert rig.generator.calls == Counter({OUTLINE: 1, FAQ: 1})
        assert broken.attempts == 2  # each generation tried to record
        assert await rig.store.get_artifact(job.id, FAQ) is not None
        assert rig.jobs_finished("succeeded") == 1


# --- jobs finished -----------------------------------------------------------------------------------------


async def test_a_succeeded_job_is_counted_once_however_often_its_last_step_is_delivered(tmp_path: Path) -> None:
    async with open_rig(tmp_path) as rig:
        assert rig.jobs_finished("succeeded") == 0
        job = await rig.run()
        assert job.status.value == "succeeded"
        assert rig.jobs_finished("succeeded") == 1
        for _ in range(3):
            await rig.pipeline.run_step(Step(job.id, FAQ, 0))  # the step that finished the job
            await rig.pipeline.run_step(Step(job.id, OUTLINE, 0))
        await rig.queue.drain()
        assert rig.jobs_finished("succeeded") == 1
        for outcome in ("partial", "failed", "cancelled"):
            assert rig.jobs_finished(outcome) == 0


async def test_a_job_cancelled_mid_step_is_counted_once_as_cancelled(tmp_path: Path) -> None:
    async with open_rig(tmp_path, FakeGenerator(spent=SPENT, gate=asyncio.Event())) as rig:
        job = await rig.create()
        await rig.wait_until_generating()
        await rig.jobs.cancel(OWNER, job.id)
        assert rig.jobs_finished("cancelled") == 1
        assert rig.generator.gate is not None
        rig.generator.gate.set()
        await rig.queue.drain()
        await rig.pipeline.run_step(Step(job.id, OUTLINE, 0))
        assert rig.jobs_finished("cancelled") == 1
        assert rig.jobs_finished("succeeded") == 0


async def test_a_partial_job_is_counted_once_as_partial(tmp_path: Path) -> None:
    refused = PermanentGenerationError("Refused.", code="policy_refusal")
    async with open_rig(tmp_path, FakeGenerator(spent=SPENT, failures={FAQ: [refused]})) as rig:
        job = await rig.run()
        assert job.status.value == "partial"
        await rig.pipeline.run_step(Step(job.id, FAQ, 0))
        assert rig.jobs_finished("partial") == 1
        assert rig.jobs_finished("succeeded") == 0
