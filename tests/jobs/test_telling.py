"""Telling a job's events: after the write that stores them and only then, at least once, in order; what could
not be told stays marked for the sweeper."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from app.adapters.sqlite_store import SqliteStore
from app.content.catalogue import ArtifactType
from app.jobs.events import Event
from app.jobs.models import Job, StepStatus
from app.jobs.publishing import PublishError
from app.jobs.telling import EventTeller, TellingStore
from tests.fixtures.jobs import T0, make_job


class Recorder:
    def __init__(self) -> None:
        self.published: list[Event] = []
        self.failing = False

    async def publish(self, events: Sequence[Event]) -> None:
        if self.failing:
            raise PublishError("topic unavailable")
        self.published.extend(events)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = await SqliteStore.open(tmp_path / "jobs.db")
    yield store
    await store.close()


def finish(artifact: ArtifactType, status: StepStatus, minute: int) -> Callable[[Job], None]:
    def change(job: Job) -> None:
        job.steps[artifact].status = status
        job.refresh(T0 + timedelta(minutes=minute))

    return change


async def test_each_write_tells_its_events_once_and_in_order(sqlite: SqliteStore) -> None:
    recorder = Recorder()
    store = TellingStore(sqlite, EventTeller(sqlite, recorder))
    await store.create_job(make_job("j1"))
    await store.update_job("j1", finish(ArtifactType.OUTLINE, StepStatus.SUCCEEDED, 1))
    assert [e.id for e in recorder.published] == ["j1.2.artifact.succeeded.outline"]
    await store.update_job("j1", finish(ArtifactType.FAQ, StepStatus.RUNNING, 2))  # nothing to tell
    await store.update_job("j1", finish(ArtifactType.FAQ, StepStatus.SUCCEEDED, 3))
    await store.update_job("j1", finish(ArtifactType.FLASHCARDS, StepStatus.FAILED, 4))
    assert [(e.type.value, e.artifact) for e in recorder.published] == [
        ("artifact.succeeded", "outline"),
        ("artifact.succeeded", "faq"),
        ("artifact.failed", "flashcards"),
        ("job.partial", None),
    ]
    stored = await sqlite.get_job("j1")
    assert stored is not None and not stored.untold and stored.told == stored.version
    assert await sqlite.untold_jobs(10) == []


async def test_what_could_not_be_told_stays_marked_and_the_sweepers_pass_tells_it(sqlite: SqliteStore) -> None:
    recorder = Recorder()
    teller = EventTeller(sqlite, recorder)
    store = TellingStore(sqlite, teller)
    await store.create_job(make_job("j2"))
    recorder.failing = True
    await store.update_job("j2", finish(ArtifactType.OUTLINE, StepStatus.SUCCEEDED, 1))  # the write stands
    assert recorder.published == []
    assert [j.id for j in await sqlite.untold_jobs(10)] == ["j2"]
    recorder.failing = False
    assert await teller.tell_untold() == 1
    assert [e.id for e in recorder.published] == ["j2.2.artifact.succeeded.outline"]
    assert await sqlite.untold_jobs(10) == []
    assert await teller.tell_untold() == 0  # told once


async def test_a_write_that_fails_tells_nothing(sqlite: SqliteStore) -> None:
    recorder = Recorder()
    store = TellingStore(sqlite, EventTeller(sqlite, recorder))
    await store.create_job(make_job("j3"))

    def broken(job: Job) -> None:
        finish(ArtifactType.OUTLINE, StepStatus.SUCCEEDED, 1)(job)
        raise RuntimeError("the transaction fails after the change")

    with pytest.raises(RuntimeError):
        await store.update_job("j3", broken)
    assert recorder.published == []
    stored = await sqlite.get_job("j3")
    assert stored is not None and stored.steps[ArtifactType.OUTLINE].status is StepStatus.QUEUED and not stored.untold


async def test_a_process_that_stopped_before_telling_is_told_by_the_next(sqlite: SqliteStore) -> None:
    """The mark is stored with the change: a job marked and never told (the process died) is found and told."""
    recorder = Recorder()
    teller = EventTeller(sqlite, recorder)
    await sqlite.create_job(make_job("j4"))

    def died_before_telling(job: Job) -> None:
        finish(ArtifactType.OUTLINE, StepStatus.SUCCEEDED, 1)(job)
        job.untold = True  # as TellingStore marks it inside the write

    await sqlite.update_job("j4", died_before_telling)
    assert await teller.tell_untold() == 1 and recorder.published[0].job_id == "j4"
