"""The jobs service (``app.jobs.service``) on the real embedded store, with fakes for the queue, the generator,
the admission check and the job counter. Step outcomes are driven through the store with the lifecycle changes."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Principal, Scope
from app.content.catalogue import ArtifactType
from app.content.generator import Usage
from app.errors import AppError, BadRequest, Conflict, NotFound, ServiceUnavailable, TooManyRequests, Unprocessable
from app.jobs import lifecycle
from app.jobs.lifecycle import Claim
from app.jobs.models import ErrorInfo, Job, JobRequest, JobStatus, StepStatus, StoredArtifact
from app.jobs.queue import Step
from app.jobs.schemas import JobCreate
from app.jobs.service import JobsService, Requester
from tests.fixtures.fake_generator import FakeGenerator

OUTLINE, FAQ, FLASHCARDS = ArtifactType.OUTLINE, ArtifactType.FAQ, ArtifactType.FLASHCARDS
TTL = timedelta(days=7)
SCOPES = frozenset({Scope.JOBS_WRITE, Scope.JOBS_READ})
ALICE = Principal(owner="alice", key_id="k1", scopes=SCOPES)
BOB = Principal(owner="bob", key_id="k2", scopes=SCOPES)
BODY = JobCreate(source_text="Photosynthesis turns light into chemical energy.", artifacts=[FAQ, FLASHCARDS])
OTHER_BODY = JobCreate(source_text="Plate tectonics moves continents.", artifacts=[FAQ, FLASHCARDS])
USAGE = Usage(input_tokens=10, output_tokens=5, llm_calls=1)
BROKEN = ErrorInfo(code="policy_refusal", message="The provider refused the request.")


# --- fakes -----------------------------------------------------------------------------------------------------


@dataclass
class RecordingQueue:
    """Records each batch it is given; ``fail`` makes it refuse like an unreachable queue."""

    batches: list[list[Step]] = field(default_factory=list)
    fail: bool = False
    closed: bool = False

    async def enqueue(self, steps: Sequence[Step]) -> None:
        if self.fail:
            raise ServiceUnavailable("The task queue is unavailable.", code="queue_unavailable")
        self.batches.append(list(steps))

    async def close(self) -> None:
        self.closed = True


@dataclass(frozen=True)
class Admitted:
    owner: str
    key_id: str
    request: JobRequest
    artifacts: list[ArtifactType]
    jobs_stored: int  # how many of the owner's jobs the store held when admission was asked
    batches_enqueued: int


@dataclass
class RecordingAdmission:
    """Records what it was asked to admit and what had been stored by then; ``refusal`` is raised when set."""

    store: SqliteStore
    queue: RecordingQueue
    calls: list[Admitted] = field(default_factory=list)
    refusal: AppError | None = None

    async def __call__(self, requester: Requester, request: JobRequest, artifacts: Sequence[ArtifactType]) -> None:
        stored = await self.store.list_jobs(requester.owner, status=None, limit=1000, after=None)
        self.calls.append(
            Admitted(requester.owner, requester.key_id, request, list(artifacts), len(stored), len(self.queue.batches))
        )
        if self.refusal is not None:
            raise self.refusal


@dataclass
class RecordingCounter:
    created: int = 0
    finished: list[JobStatus] = field(default_factory=list)

    def job_created(self) -> None:
        self.created += 1

    def job_finished(self, status: JobStatus) -> None:
        self.finished.append(status)


@dataclass
class World:
    service: JobsService
    store: SqliteStore
    queue: RecordingQueue
    admission: RecordingAdmission
    counter: RecordingCounter
    generator: FakeGenerator


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "x.db")
    yield opened
    await opened.close()


@pytest.fixture
def world(store: SqliteStore) -> World:
    queue = RecordingQueue()
    admission = RecordingAdmission(store, queue)
    counter = RecordingCounter()
    generator = FakeGenerator()
    service = JobsService(
        store=store, queue=queue, generator=generator, job_ttl=TTL, admission=admission, counter=counter
    )
    return World(service, store, queue, admission, counter, generator)


# --- driving steps through the store ---------------------------------------------------------------------------


async def claim(store: SqliteStore, job_id: str, artifact: ArtifactType, generation: int = 0) -> None:
    changed = await store.update_job(
        job_id, lifecycle.claim_step(Step(job_id, artifact, generation), datetime.now(UTC), 60)
    )
    assert changed is not None
    assert isinstance(changed[1], Claim)


async def succeed(store: SqliteStore, job_id: str, artifact: ArtifactType, generation: int = 0) -> Job:
    await claim(store, job_id, artifact, generation)
    change = lifecycle.record_success(Step(job_id, artifact, generation), datetime.now(UTC), cached=False, usage=USAGE)
    changed = await store.update_job(job_id, change)
    assert changed is not None
    assert changed[1].applied
    return changed[0]


async def fail(store: SqliteStore, job_id: str, artifact: ArtifactType, generation: int = 0) -> Job:
    await claim(store, job_id, artifact, generation)
    changed = await store.update_job(
        job_id, lifecycle.record_failure(Step(job_id, artifact, generation), datetime.now(UTC), BROKEN)
    )
    assert changed is not None
    assert changed[1].applied
    return changed[0]


async def stored_jobs(store: SqliteStore, owner: str = "alice") -> list[Job]:
    return await store.list_jobs(owner, status=None, limit=1000, after=None)


def cursor_of(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# --- create ----------------------------------------------------------------------------------------------------


async def test_create_stores_the_job_with_the_outline_queued_and_enqueues_only_the_outline(world: World) -> None:
    job, created = await world.service.create(ALICE, BODY, None)

    assert created is True
    assert await world.store.get_job(job.id) == job
    assert job.owner == "alice"
    assert job.key_id == "k1"
    assert job.status is JobStatus.QUEUED
    assert list(job.steps) == [OUTLINE, FAQ, FLASHCARDS]  # the outline is always generated
    assert {a: s.status for a, s in job.steps.items()} == {
        OUTLINE: StepStatus.QUEUED,
        FAQ: StepStatus.PENDING,
        FLASHCARDS: StepStatus.PENDING,
    }
    assert job.expires_at == job.created_at + TTL
    assert world.queue.batches == [[Step(job.id, OUTLINE, 0)]]
    assert world.counter.created == 1
    assert world.counter.finished == []


async def test_the_same_idempotency_key_and_body_return_the_same_job_and_enqueue_its_queued_steps(
    world: World,
) -> None:
    first, created = await world.service.create(ALICE, BODY, "idem-1")
    assert created is True

    again, created = await world.service.create(ALICE, BODY, "idem-1")

    assert created is False
    assert again == first
    assert world.queue.batches == [[Step(first.id, OUTLINE, 0)], [Step(first.id, OUTLINE, 0)]]
    assert world.counter.created == 1
    assert [j.id for j in await stored_jobs(world.store)] == [first.id]

    # Once the outline is done, a replay enqueues the steps it released.
    await succeed(world.store, first.id, OUTLINE)
    latest, created = await world.service.create(ALICE, BODY, "idem-1")
    assert created is False
    assert world.queue.batches[-1] == [Step(first.id, FAQ, 0), Step(first.id, FLASHCARDS, 0)]
    assert latest.steps[FAQ].status is StepStatus.QUEUED


async def test_a_replay_with_nothing_queued_enqueues_nothing(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, "idem-1")
    await world.service.cancel(ALICE, job.id)
    batches = len(world.queue.batches)

    again, created = await world.service.create(ALICE, BODY, "idem-1")

    assert created is False
    assert again.status is JobStatus.CANCELLED
    assert len(world.queue.batches) == batches


async def test_the_same_idempotency_key_with_another_body_is_a_conflict(world: World) -> None:
    first, _ = await world.service.create(ALICE, BODY, "idem-1")

    with pytest.raises(Conflict) as raised:
        await world.service.create(ALICE, OTHER_BODY, "idem-1")

    assert raised.value.status == 409
    assert raised.value.code == "idempotency_key_reused"
    assert raised.value.details == {"job_id": first.id}
    assert [j.id for j in await stored_jobs(world.store)] == [first.id]
    assert world.queue.batches == [[Step(first.id, OUTLINE, 0)]]
    assert world.counter.created == 1


async def test_another_owners_idempotency_key_is_theirs_alone(world: World) -> None:
    alices, _ = await world.service.create(ALICE, BODY, "idem-1")

    bobs, created = await world.service.create(BOB, OTHER_BODY, "idem-1")

    assert created is True
    assert bobs.id != alices.id
    assert world.counter.created == 2


async def test_a_failed_enqueue_deletes_the_job_and_propagates(world: World) -> None:
    world.queue.fail = True

    with pytest.raises(ServiceUnavailable):
        await world.service.create(ALICE, BODY, "idem-1")

    assert await stored_jobs(world.store) == []
    assert await world.store.find_by_idempotency_key("alice", "idem-1") is None
    assert world.counter.created == 0

    # Nothing half-made: the client's retry with the same key creates the job.
    world.queue.fail = False
    job, created = await world.service.create(ALICE, BODY, "idem-1")
    assert created is True
    assert world.queue.batches == [[Step(job.id, OUTLINE, 0)]]
    assert world.counter.created == 1


async def test_admission_is_asked_before_anything_is_stored(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)

    assert world.admission.calls == [
        Admitted("alice", "k1", job.request, [OUTLINE, FAQ, FLASHCARDS], jobs_stored=0, batches_enqueued=0)
    ]


async def test_an_admission_refusal_stores_nothing(world: World) -> None:
    world.admission.refusal = TooManyRequests("Daily token quota exceeded.", code="quota_exceeded")

    with pytest.raises(TooManyRequests) as raised:
        await world.service.create(ALICE, BODY, "idem-1")

    assert raised.value.code == "quota_exceeded"
    assert await stored_jobs(world.store) == []
    assert await world.store.find_by_idempotency_key("alice", "idem-1") is None
    assert world.queue.batches == []
    assert world.counter.created == 0


async def test_a_replay_is_not_asked_of_admission_again(world: World) -> None:
    await world.service.create(ALICE, BODY, "idem-1")
    world.admission.refusal = TooManyRequests("Daily token quota exceeded.", code="quota_exceeded")

    _, created = await world.service.create(ALICE, BODY, "idem-1")

    assert created is False
    assert len(world.admission.calls) == 1


async def test_a_request_the_generator_refuses_stores_nothing(world: World) -> None:
    world.generator.refuse = "The source text is too short."

    with pytest.raises(Unprocessable):
        await world.service.create(ALICE, BODY, None)

    assert await stored_jobs(world.store) == []
    assert world.queue.batches == []
    assert world.counter.created == 0


# --- ownership -------------------------------------------------------------------------------------------------


def _get(service: JobsService, job_id: str) -> Awaitable[object]:
    return service.get(BOB, job_id)


def _artifact(service: JobsService, job_id: str) -> Awaitable[object]:
    return service.artifact(BOB, job_id, OUTLINE)


def _cancel(service: JobsService, job_id: str) -> Awaitable[object]:
    return service.cancel(BOB, job_id)


def _retry(service: JobsService, job_id: str) -> Awaitable[object]:
    return service.retry(BOB, job_id)


def _delete(service: JobsService, job_id: str) -> Awaitable[object]:
    return service.delete(BOB, job_id)


@pytest.mark.parametrize(
    "call", [_get, _artifact, _cancel, _retry, _delete], ids=["get", "artifact", "cancel", "retry", "delete"]
)
@pytest.mark.parametrize("finished", [False, True], ids=["unfinished", "failed"])
async def test_another_owner_gets_not_found_and_changes_nothing(
    world: World, call: Callable[[JobsService, str], Awaitable[object]], finished: bool
) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    if finished:
        await fail(world.store, job.id, OUTLINE)
    before = await world.store.get_job(job.id)
    batches = list(world.queue.batches)
    admitted = len(world.admission.calls)

    with pytest.raises(NotFound) as raised:
        await call(world.service, job.id)

    assert raised.value.code == "job_not_found"
    assert await world.store.get_job(job.id) == before
    assert world.queue.batches == batches
    assert len(world.admission.calls) == admitted
    assert world.counter.finished == []


@pytest.mark.parametrize(
    "call", [_get, _artifact, _cancel, _retry, _delete], ids=["get", "artifact", "cancel", "retry", "delete"]
)
async def test_a_job_that_does_not_exist_is_not_found(
    world: World, call: Callable[[JobsService, str], Awaitable[object]]
) -> None:
    with pytest.raises(NotFound) as raised:
        await call(world.service, "job_missing")

    assert raised.value.code == "job_not_found"


async def test_the_owner_gets_the_job_as_stored(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    updated = await succeed(world.store, job.id, OUTLINE)

    assert await world.service.get(ALICE, job.id) == updated


# --- page ------------------------------------------------------------------------------------------------------


async def test_page_lists_the_owners_jobs_newest_first_a_page_at_a_time(world: World) -> None:
    created = [(await world.service.create(ALICE, BODY, None))[0].id for _ in range(5)]
    await world.service.create(BOB, BODY, None)

    seen: list[str] = []
    sizes: list[int] = []
    cursor: str | None = None
    for _ in range(10):
        jobs, cursor = await world.service.page(ALICE, status=None, limit=2, cursor=cursor)
        seen += [j.id for j in jobs]
        sizes.append(len(jobs))
        if cursor is None:
            break

    assert sizes == [2, 2, 1]
    assert seen == list(reversed(created))


async def test_a_page_that_ends_exactly_has_no_next_cursor(world: World) -> None:
    for _ in range(2):
        await world.service.create(ALICE, BODY, None)

    jobs, cursor = await world.service.page(ALICE, status=None, limit=2, cursor=None)

    assert len(jobs) == 2
    assert cursor is None


async def test_page_filters_by_status(world: World) -> None:
    kept, _ = await world.service.create(ALICE, BODY, None)
    cancelled, _ = await world.service.create(ALICE, BODY, None)
    await world.service.cancel(ALICE, cancelled.id)

    jobs, cursor = await world.service.page(ALICE, status=JobStatus.QUEUED, limit=10, cursor=None)

    assert [j.id for j in jobs] == [kept.id]
    assert cursor is None


async def test_another_owners_page_is_empty(world: World) -> None:
    await world.service.create(ALICE, BODY, None)

    assert await world.service.page(BOB, status=None, limit=10, cursor=None) == ([], None)


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        "é",
        "x",
        cursor_of([1, 2, 3]),
        cursor_of({"created_at": "2026-01-01T00:00:00+00:00"}),
        cursor_of(None),
        cursor_of([123, "job_x"]),
        cursor_of(["yesterday", "job_x"]),
        cursor_of(["2026-01-01T00:00:00", "job_x"]),  # no time zone
        cursor_of(["2026-01-01T00:00:00+00:00", 7]),
        cursor_of(["0001-01-01T00:00:00+14:00", "job_x"]),  # before the first UTC moment
        cursor_of(["9999-12-31T23:59:59-14:00", "job_x"]),  # after the last UTC moment
    ],
    ids=[
        "not-base64",
        "not-ascii",
        "truncated",
        "three-items",
        "object",
        "null",
        "stamp-not-text",
        "stamp-not-a-time",
        "naive-stamp",
        "id-not-text",
        "stamp-before-year-1-utc",
        "stamp-after-year-9999-utc",
    ],
)
async def test_a_malformed_cursor_is_a_bad_request(world: World, cursor: str) -> None:
    await world.service.create(ALICE, BODY, None)

    with pytest.raises(BadRequest) as raised:
        await world.service.page(ALICE, status=None, limit=10, cursor=cursor)

    assert raised.value.status == 400
    assert raised.value.code == "invalid_cursor"


# --- artifact --------------------------------------------------------------------------------------------------


async def test_an_artifact_the_job_did_not_ask_for_is_not_found(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)

    with pytest.raises(NotFound) as raised:
        await world.service.artifact(ALICE, job.id, ArtifactType.PODCAST_SCRIPT)

    assert raised.value.code == "artifact_not_requested"


async def test_an_artifact_not_yet_succeeded_is_not_ready(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)

    with pytest.raises(Conflict) as raised:
        await world.service.artifact(ALICE, job.id, FAQ)

    assert raised.value.code == "artifact_not_ready"
    assert raised.value.details == {"status": "pending", "error": None}


async def test_a_failed_artifact_is_not_ready_and_says_why(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await fail(world.store, job.id, OUTLINE)

    with pytest.raises(Conflict) as raised:
        await world.service.artifact(ALICE, job.id, FAQ)

    assert raised.value.code == "artifact_not_ready"
    assert raised.value.details == {"status": "failed", "error": lifecycle.OUTLINE_FAILED.model_dump()}


async def test_a_succeeded_artifact_is_returned_as_stored(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    stored = StoredArtifact(
        job_id=job.id,
        type=OUTLINE,
        content={"title": "About photosynthesis"},
        provider="fake",
        model="fake-1",
        prompt_version="fake-1",
        cached=False,
        created_at=datetime.now(UTC),
    )
    await world.store.put_artifact(stored)
    with pytest.raises(Conflict):  # stored, but its step has not recorded the success yet
        await world.service.artifact(ALICE, job.id, OUTLINE)

    await succeed(world.store, job.id, OUTLINE)

    assert await world.service.artifact(ALICE, job.id, OUTLINE) == stored


async def test_a_succeeded_step_without_stored_content_is_not_ready(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await succeed(world.store, job.id, OUTLINE)

    with pytest.raises(Conflict) as raised:
        await world.service.artifact(ALICE, job.id, OUTLINE)

    assert raised.value.code == "artifact_not_ready"


# --- cancel ----------------------------------------------------------------------------------------------------


async def test_cancel_finishes_the_job_once_and_a_second_cancel_is_a_conflict(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await claim(world.store, job.id, OUTLINE)

    cancelled = await world.service.cancel(ALICE, job.id)

    assert cancelled.status is JobStatus.CANCELLED
    assert all(s.status is StepStatus.CANCELLED for s in cancelled.steps.values())
    assert await world.store.get_job(job.id) == cancelled
    assert world.counter.finished == [JobStatus.CANCELLED]

    with pytest.raises(Conflict) as raised:
        await world.service.cancel(ALICE, job.id)

    assert raised.value.code == "job_finished"
    assert world.counter.finished == [JobStatus.CANCELLED]
    assert await world.store.get_job(job.id) == cancelled


async def test_cancel_of_a_job_its_steps_finished_is_a_conflict_and_counts_nothing(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await fail(world.store, job.id, OUTLINE)

    with pytest.raises(Conflict) as raised:
        await world.service.cancel(ALICE, job.id)

    assert raised.value.code == "job_finished"
    assert world.counter.finished == []


# --- retry -----------------------------------------------------------------------------------------------------


async def test_retry_of_a_running_job_is_a_conflict(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await succeed(world.store, job.id, OUTLINE)
    before = await world.store.get_job(job.id)
    assert before is not None
    assert before.status is JobStatus.RUNNING
    batches = list(world.queue.batches)

    with pytest.raises(Conflict) as raised:
        await world.service.retry(ALICE, job.id)

    assert raised.value.code == "job_not_retryable"
    assert await world.store.get_job(job.id) == before
    assert world.queue.batches == batches


async def test_retry_of_a_queued_or_succeeded_job_is_a_conflict(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    with pytest.raises(Conflict) as raised:
        await world.service.retry(ALICE, job.id)
    assert raised.value.code == "job_not_retryable"

    for artifact in (OUTLINE, FAQ, FLASHCARDS):
        await succeed(world.store, job.id, artifact)
    with pytest.raises(Conflict) as raised:
        await world.service.retry(ALICE, job.id)
    assert raised.value.code == "job_not_retryable"


async def test_retry_of_a_failed_job_queues_its_outline_again(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await fail(world.store, job.id, OUTLINE)

    retried = await world.service.retry(ALICE, job.id)

    assert retried.status is JobStatus.QUEUED
    assert {a: (s.status, s.generation) for a, s in retried.steps.items()} == {
        OUTLINE: (StepStatus.QUEUED, 1),
        FAQ: (StepStatus.PENDING, 1),
        FLASHCARDS: (StepStatus.PENDING, 1),
    }
    assert await world.store.get_job(job.id) == retried
    assert world.queue.batches[-1] == [Step(job.id, OUTLINE, 1)]
    assert world.admission.calls[-1].artifacts == [OUTLINE, FAQ, FLASHCARDS]


async def test_retry_of_a_partial_job_queues_only_what_failed(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await succeed(world.store, job.id, OUTLINE)
    await succeed(world.store, job.id, FAQ)
    partial = await fail(world.store, job.id, FLASHCARDS)
    assert partial.status is JobStatus.PARTIAL

    retried = await world.service.retry(ALICE, job.id)

    assert retried.status is JobStatus.RUNNING
    assert retried.steps[FLASHCARDS].status is StepStatus.QUEUED
    assert retried.steps[FAQ].status is StepStatus.SUCCEEDED
    assert world.queue.batches[-1] == [Step(job.id, FLASHCARDS, 1)]
    assert world.admission.calls[-1].artifacts == [FLASHCARDS]


async def test_retry_of_a_cancelled_job_queues_the_cancelled_steps(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await succeed(world.store, job.id, OUTLINE)
    await world.service.cancel(ALICE, job.id)

    retried = await world.service.retry(ALICE, job.id)

    assert retried.status is JobStatus.RUNNING
    assert world.queue.batches[-1] == [Step(job.id, FAQ, 1), Step(job.id, FLASHCARDS, 1)]
    # The job can finish again: cancelling it now counts a second finished job.
    await world.service.cancel(ALICE, job.id)
    assert world.counter.finished == [JobStatus.CANCELLED, JobStatus.CANCELLED]


async def test_a_retry_refused_by_admission_changes_nothing(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    failed = await fail(world.store, job.id, OUTLINE)
    batches = list(world.queue.batches)
    world.admission.refusal = TooManyRequests("Daily token quota exceeded.", code="quota_exceeded")

    with pytest.raises(TooManyRequests):
        await world.service.retry(ALICE, job.id)

    assert await world.store.get_job(job.id) == failed
    assert world.queue.batches == batches


# --- delete ----------------------------------------------------------------------------------------------------


async def test_delete_of_an_unfinished_job_counts_it_cancelled_and_removes_it(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await succeed(world.store, job.id, OUTLINE)
    await world.store.put_artifact(
        StoredArtifact(
            job_id=job.id,
            type=OUTLINE,
            content={"title": "t"},
            provider="fake",
            model="fake-1",
            prompt_version="fake-1",
            cached=False,
            created_at=datetime.now(UTC),
        )
    )

    await world.service.delete(ALICE, job.id)

    assert world.counter.finished == [JobStatus.CANCELLED]
    assert await world.store.get_job(job.id) is None
    assert await world.store.get_artifact(job.id, OUTLINE) is None
    assert await stored_jobs(world.store) == []
    with pytest.raises(NotFound):
        await world.service.get(ALICE, job.id)


async def test_delete_of_a_finished_job_counts_nothing(world: World) -> None:
    job, _ = await world.service.create(ALICE, BODY, None)
    await fail(world.store, job.id, OUTLINE)

    await world.service.delete(ALICE, job.id)

    assert world.counter.finished == []
    assert await world.store.get_job(job.id) is None
