"""Job metrics that come from the job store: jobs created and finished, and jobs in flight.

``MeteredJobStore`` wraps any ``JobStore`` and counts each job's transitions where they are committed, so a
job is counted once whichever path changes it (a step, a cancel, a delete of a running job, a retry that runs
it again), on whichever instance. ``refresh_jobs_in_flight`` reads the unfinished jobs at scrape time: every
instance sees the same store, so dashboards take ``max`` over instances, never ``sum``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from app.jobs.models import FINISHED_JOBS, Job, JobStatus
from app.jobs.store import ForwardingJobStore, JobStore
from app.observability.metrics import InFlightStatus, JobOutcome, Metrics

T = TypeVar("T")

# Unfinished jobs read per refresh (oldest first, so the oldest is always among them); counts saturate here.
IN_FLIGHT_SCAN_LIMIT = 500
# A scrape reads the store at most this often per process (scrapers poll every few seconds).
IN_FLIGHT_REFRESH_SECONDS = 15.0


class MeteredJobStore(ForwardingJobStore):
    """A ``JobStore`` that counts jobs created and jobs finished (by outcome) as the store commits them."""

    def __init__(self, store: JobStore, metrics: Metrics) -> None:
        super().__init__(store)
        self._metrics = metrics

    async def create_job(self, job: Job) -> Job:
        stored = await self._store.create_job(job)
        if stored.id == job.id:  # not another request's job with the same idempotency key
            self._metrics.job_created()
        return stored

    async def update_job(self, job_id: str, change: Callable[[Job], T]) -> tuple[Job, T] | None:
        seen: list[JobStatus] = []

        def observed(job: Job) -> T:
            # A retried transaction runs the change again on fresh data: keep only the last run's view.
            seen[:] = [job.status]
            return change(job)

        result = await self._store.update_job(job_id, observed)
        if result is not None and seen and seen[0] not in FINISHED_JOBS and result[0].status in FINISHED_JOBS:
            outcome: JobOutcome = result[0].status.value  # type: ignore[assignment]  # FINISHED_JOBS values
            self._metrics.job_finished(outcome=outcome)
        return result


class JobsInFlight:
    """Sets ``cf_jobs_in_flight`` and the age of the oldest unfinished job from the store, at most every so often."""

    def __init__(self, store: JobStore, metrics: Metrics, *, every_seconds: float = IN_FLIGHT_REFRESH_SECONDS) -> None:
        self._store = store
        self._metrics = metrics
        self._every = every_seconds
        self._last: float | None = None

    async def refresh(self) -> None:
        moment = time.monotonic()
        if self._last is not None and moment - self._last < self._every:
            return
        self._last = moment
        jobs = await self._store.unfinished_jobs(IN_FLIGHT_SCAN_LIMIT)
        now = datetime.now(UTC)
        counts: dict[InFlightStatus, int] = {}
        oldest: dict[InFlightStatus, float] = {}
        for job in jobs:
            status: InFlightStatus = "running" if job.status is JobStatus.RUNNING else "queued"
            counts[status] = counts.get(status, 0) + 1
            oldest[status] = max(oldest.get(status, 0.0), (now - job.created_at).total_seconds())
        self._metrics.jobs_in_flight(counts=counts, oldest_seconds=oldest)
