"""The job store port. Adapters: SQLite (embedded) and Firestore (production).

Every change to a job goes through ``update_job``: the adapter reads the job, applies the change and writes
it back in one transaction, so concurrent steps of a job never lose an update. The changes themselves are
plain functions in ``app.jobs.lifecycle``, shared by every adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from app.content.catalogue import ArtifactType
from app.jobs.lifecycle import Changed
from app.jobs.models import Job, JobStatus, StoredArtifact

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Position after the last job of a page: jobs are listed newest first, ties broken by id."""

    created_at: datetime
    job_id: str


class JobStore(Protocol):
    async def create_job(self, job: Job) -> Job:
        """Insert the job. If the owner already has a job with its idempotency key, return that one instead."""
        ...

    async def get_job(self, job_id: str) -> Job | None:
        """The job as last committed. It may be shared with other readers: change it only through ``update_job``."""
        ...

    async def find_by_idempotency_key(self, owner: str, key: str) -> Job | None: ...

    async def list_jobs(
        self, owner: str, *, status: JobStatus | None, limit: int, after: PageCursor | None
    ) -> list[Job]:
        """The owner's jobs, newest first, starting after the cursor."""
        ...

    async def update_job(self, job_id: str, change: Callable[[Job], T]) -> tuple[Job, T] | None:
        """Apply ``change`` to the job in a transaction; ``None`` when the job does not exist.

        ``change`` mutates the job in place and may run more than once (a transaction retried on contention),
        so it must depend only on the job it is given.
        """
        ...

    async def put_artifact(self, artifact: StoredArtifact) -> None:
        """Write (or overwrite) a job's artifact content."""
        ...

    async def commit_artifact(
        self, artifact: StoredArtifact, change: Callable[[Job], Changed]
    ) -> tuple[Job, Changed] | None:
        """Apply ``change`` to the artifact's job and, only when it applies, write the artifact, in one
        transaction: a worker that lost its step on the way never overwrites the new holder's result, and
        nothing is written for a job deleted meanwhile (``None``)."""
        ...

    async def get_artifact(self, job_id: str, artifact: ArtifactType) -> StoredArtifact | None: ...

    async def delete_job(self, job_id: str) -> bool:
        """Delete the job and its artifacts; ``False`` when there was nothing to delete."""
        ...

    async def unfinished_jobs(self, limit: int) -> list[Job]:
        """Jobs still queued or running, oldest first: what an embedded queue resumes at start-up."""
        ...

    async def untold_jobs(self, limit: int) -> list[Job]:
        """Jobs whose ``untold`` is set (events stored but not yet published), at most ``limit``, any order."""
        ...

    async def ping(self) -> None:
        """Raise when the store cannot serve requests (readiness)."""
        ...

    async def close(self) -> None: ...
