"""Jobs in flight, read from the job store when ``/metrics`` is scraped.

Every instance sees the same store, so dashboards take ``max`` over instances, never ``sum``. (Jobs created and
finished are counted where that happens: the jobs service and the step pipeline.)
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from app.jobs.models import JobStatus
from app.jobs.store import JobStore
from app.observability.metrics import InFlightStatus, Metrics

# Unfinished jobs read per refresh (oldest first, so the oldest is always among them); counts saturate here.
IN_FLIGHT_SCAN_LIMIT = 500
# A scrape reads the store at most this often per process (scrapers poll every few seconds).
IN_FLIGHT_REFRESH_SECONDS = 15.0


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
