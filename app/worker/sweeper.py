"""The sweeper: no job is left stranded, none runs forever.

A step normally reaches a worker through its task. A few failures leave a step that nothing will deliver: the
instance holding it died and its task's retries ran out while the lease still held; enqueueing failed after the
step became runnable; a queue dropped its task. The sweeper reads the unfinished jobs, oldest first, and

- fails the open steps of a job older than ``job_max_seconds`` (``job_deadline_exceeded``);
- enqueues again, under a new task name, each step running under an expired lease (its worker stopped renewing
  it) or queued for longer than ``stale_seconds`` (``lifecycle.recover``).

The embedded queue sweeps at start-up (``restart``: the process that held its steps is gone) and every
``CF_SWEEP_INTERVAL_SECONDS``; on Google Cloud, Cloud Scheduler calls ``POST /internal/sweep``. Sweeping twice
at once is harmless: each change runs in the store's transaction, and a step enqueued twice is claimed once.
``cf_steps_recovered_total{reason}`` counts what it does. With an event publisher, each sweep also tells the
events of jobs that stored them and did not get to tell them (``app.jobs.telling``), and schedules again the
webhook deliveries whose next attempt is long overdue (``app.webhooks.recovery``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.errors import ServiceUnavailable
from app.jobs import lifecycle
from app.jobs.models import Job
from app.jobs.queue import Step, TaskQueue
from app.jobs.store import JobStore
from app.jobs.telling import EventTeller
from app.observability.metrics import Metrics, RecoveryReason
from app.webhooks.recovery import DeliveryRecovery

log = logging.getLogger(__name__)

_REASONS: dict[str, RecoveryReason] = {
    lifecycle.LEASE_EXPIRED: "lease_expired",
    lifecycle.NOT_DELIVERED: "not_delivered",
}


@dataclass(frozen=True, slots=True)
class SweepPolicy:
    stale_seconds: float
    job_max_seconds: float
    batch: int = 500  # unfinished jobs read per sweep, oldest first
    leases: bool = True  # recover steps under expired leases; off in one process, where their worker is alive


@dataclass(frozen=True, slots=True)
class Sweeper:
    store: JobStore
    queue: TaskQueue
    policy: SweepPolicy
    metrics: Metrics = field(default_factory=Metrics)
    teller: EventTeller | None = None  # with a publisher: jobs whose events were stored and not yet told
    deliveries: DeliveryRecovery | None = None  # webhook deliveries whose next attempt was lost

    async def sweep(self) -> Counter[RecoveryReason]:
        """One pass over the unfinished jobs; what it recovered, by reason."""
        now = datetime.now(UTC)
        found: Counter[RecoveryReason] = Counter()
        policy = self.policy
        for job in await self.store.unfinished_jobs(policy.batch):
            if (now - job.started).total_seconds() > policy.job_max_seconds:
                found["deadline"] += await self._expire(job, now)
                continue
            if not lifecycle.stranded(job, now, policy.stale_seconds, leases=policy.leases):
                continue  # nothing to do: no write
            recovered = await self.store.update_job(
                job.id, lifecycle.recover(now, policy.stale_seconds, leases=policy.leases)
            )
            if recovered is None or not recovered[1].changed.released:
                continue
            if await self._enqueue(recovered[1].changed.released):
                found.update(_REASONS[reason] for reason in recovered[1].reasons)
        self._count(found)
        if self.teller is not None:
            await self.teller.tell_untold(policy.batch)
        if self.deliveries is not None:
            await self.deliveries.sweep()
        return found

    async def restart(self) -> int:
        """At the start of the embedded queue: every step of an unfinished job runs again, the ones the stopped
        process held included (nothing else can hold them). The number of steps taken up again."""
        now = datetime.now(UTC)
        resumed = 0
        for job in await self.store.unfinished_jobs(10_000):
            changed = await self.store.update_job(job.id, lifecycle.resumable(now))
            if changed is not None and changed[1].released:
                await self.queue.enqueue(changed[1].released)
                resumed += len(changed[1].released)
        self._count(Counter({"restart": resumed}))
        if self.teller is not None:
            await self.teller.tell_untold(self.policy.batch)  # what the stopped process stored and did not tell
        if self.deliveries is not None:
            await self.deliveries.restart()  # the stopped process held their timers
        return resumed

    async def run_every(self, seconds: float) -> None:
        """Sweep every ``seconds`` until cancelled; a failed sweep is logged and the next one tries again."""
        while True:
            await asyncio.sleep(seconds)
            try:
                found = await self.sweep()
            except Exception:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # stopping: an error raised on the way out is not a failed sweep
                log.exception("sweep failed")
                continue
            if found:
                log.warning("sweep recovered steps: %s", dict(found))

    async def _expire(self, job: Job, now: datetime) -> int:
        expired = await self.store.update_job(job.id, lifecycle.expire(now, self.policy.job_max_seconds))
        if expired is None or not expired[1].applied:
            return 0
        if expired[1].finished is not None:
            self.metrics.job_finished(expired[1].finished)
        return sum(
            1 for s in expired[0].steps.values() if s.error is not None and s.error.code == lifecycle.JOB_DEADLINE
        )

    async def _enqueue(self, steps: tuple[Step, ...]) -> bool:
        try:
            await self.queue.enqueue(steps)
        except ServiceUnavailable:  # they stay queued; a sweep once they are stale again tries them again
            log.warning("sweep could not enqueue %d steps", len(steps))
            return False
        return True

    def _count(self, found: Counter[RecoveryReason]) -> None:
        for reason, count in found.items():
            if count:
                self.metrics.steps_recovered(reason=reason, count=count)
