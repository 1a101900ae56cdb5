"""Telling a job's events (``events.py``) to a publisher, at least once, only after the write they describe.

``TellingStore`` wraps the job store the workers and the jobs service write through. Inside each write's own
transaction it marks the job ``untold`` when the change has events not yet told, so the mark is stored with the
change or not at all; once the write is stored it tells them (``EventTeller.tell``). A write that fails tells
nothing. When telling fails, or the process stops between the write and the telling, the mark stays, and the
sweeper finds the job (``untold_jobs``) and tells it again: events keep their ids, so a consumer drops the ones
it already has.

In one process a job's events are told one telling at a time, oldest first (a lock per job). Two instances that
both finish steps of one job at the same moment may each tell the job's latest events; a consumer orders a job's
events by ``version``.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import TypeVar

from app.content.catalogue import ArtifactType
from app.jobs.events import events_of
from app.jobs.lifecycle import Changed
from app.jobs.models import Job, JobStatus, StoredArtifact
from app.jobs.publishing import EventPublisher, PublishError
from app.jobs.store import JobStore, PageCursor

log = logging.getLogger(__name__)
T = TypeVar("T")


class EventTeller:
    def __init__(self, store: JobStore, publisher: EventPublisher) -> None:
        self.store = store  # the unwrapped store: marking a job told is no change to tell
        self.publisher = publisher
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def tell(self, job_id: str) -> int:
        """Publish the job's untold events, then mark them told; how many were published. Never raises: what is
        not told stays marked for the sweeper."""
        lock = self._locks.get(job_id)
        if lock is None:  # kept while a telling holds it or waits for it
            lock = self._locks[job_id] = asyncio.Lock()
        try:
            async with lock:
                job = await self.store.get_job(job_id)  # as stored now: another telling may have told some
                if job is None or not job.untold:
                    return 0
                events = events_of(job, after=job.told)
                if events:
                    await self.publisher.publish(events)
                await self.store.update_job(job_id, _told_up_to(job.version))
                return len(events)
        except PublishError as refused:
            log.warning("events of job %s not published (the sweeper tells them again): %s", job_id, refused)
        except Exception:  # a store error: the mark stays, the sweeper tells the job later
            log.exception("telling the events of job %s failed", job_id)
        return 0

    async def tell_untold(self, limit: int = 200) -> int:
        """Tell every job the store has marked untold (the sweeper's pass); how many events were published."""
        told = 0
        for job in await self.store.untold_jobs(limit):
            told += await self.tell(job.id)
        return told


def _told_up_to(version: int) -> Callable[[Job], None]:
    def change(job: Job) -> None:
        job.told = max(job.told, version)
        job.untold = bool(events_of(job, after=job.told))  # a change after the one just told is still to tell

    return change


def _marked(change: Callable[[Job], T]) -> Callable[[Job], T]:
    def marked(job: Job) -> T:
        result = change(job)
        if not job.untold and events_of(job, after=job.told):
            job.untold = True
        return result

    return marked


class TellingStore:
    """A ``JobStore`` whose writes tell the events they make (see the module docstring)."""

    def __init__(self, store: JobStore, teller: EventTeller) -> None:
        self.inner = store
        self.teller = teller

    async def update_job(self, job_id: str, change: Callable[[Job], T]) -> tuple[Job, T] | None:
        updated = await self.inner.update_job(job_id, _marked(change))
        if updated is not None and updated[0].untold:
            await self.teller.tell(job_id)
        return updated

    async def commit_artifact(
        self, artifact: StoredArtifact, change: Callable[[Job], Changed]
    ) -> tuple[Job, Changed] | None:
        committed = await self.inner.commit_artifact(artifact, _marked(change))
        if committed is not None and committed[0].untold:
            await self.teller.tell(artifact.job_id)
        return committed

    # Everything else is the inner store's.

    async def create_job(self, job: Job) -> Job:
        return await self.inner.create_job(job)

    async def get_job(self, job_id: str) -> Job | None:
        return await self.inner.get_job(job_id)

    async def find_by_idempotency_key(self, owner: str, key: str) -> Job | None:
        return await self.inner.find_by_idempotency_key(owner, key)

    async def list_jobs(
        self, owner: str, *, status: JobStatus | None, limit: int, after: PageCursor | None
    ) -> list[Job]:
        return await self.inner.list_jobs(owner, status=status, limit=limit, after=after)

    async def put_artifact(self, artifact: StoredArtifact) -> None:
        await self.inner.put_artifact(artifact)

    async def get_artifact(self, job_id: str, artifact: ArtifactType) -> StoredArtifact | None:
        return await self.inner.get_artifact(job_id, artifact)

    async def delete_job(self, job_id: str) -> bool:
        return await self.inner.delete_job(job_id)

    async def unfinished_jobs(self, limit: int) -> list[Job]:
        return await self.inner.unfinished_jobs(limit)

    async def untold_jobs(self, limit: int) -> list[Job]:
        return await self.inner.untold_jobs(limit)

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()
