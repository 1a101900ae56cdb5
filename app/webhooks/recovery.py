"""Deliveries nothing will attempt again, found and scheduled again; expired ones deleted.

A pending delivery's next attempt normally waits in its queue. A few failures lose it: the process holding the
embedded queue's timer stopped; scheduling the next attempt failed after the delivery was stored; Cloud Tasks gave
up on the task (the worker answered 5xx through every task retry). The store keeps ``next_attempt_at``, so the
sweeper (``app.worker.sweeper``) asks for deliveries overdue by more than ``stale_seconds`` and schedules each
again under a recovery name of its own. An attempt that was merely slow and runs as well is harmless: the
endpoint may see the event twice, which at-least-once delivery allows (``X-CF-Event-Id`` is the same).

At the start of the embedded queue (``restart``) every pending delivery is scheduled again at its due time: the
process that held the timers is gone. Each pass also deletes up to ``batch`` expired deliveries from stores that
do not expire them themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.webhooks.models import Delivery
from app.webhooks.queue import DeliveryQueue
from app.webhooks.store import WebhookStore

log = logging.getLogger(__name__)

FOREVER = datetime.max.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DeliveryRecovery:
    store: WebhookStore
    queue: DeliveryQueue
    stale_seconds: float  # how long past due an attempt is left to its own task
    batch: int = 500
    clock: Callable[[], datetime] = _now

    async def sweep(self) -> int:
        """Schedule again each pending delivery overdue by more than ``stale_seconds``; purge expired ones. The
        number scheduled."""
        now = self.clock()
        lost = await self.store.due_deliveries(now - timedelta(seconds=self.stale_seconds), limit=self.batch)
        scheduled = await self._schedule(lost, now, recovery=f"{now.timestamp():.0f}")
        await self._purge(now)
        return scheduled

    async def restart(self) -> int:
        """At the start of the embedded queue: every pending delivery, at its due time."""
        now = self.clock()
        scheduled = await self._schedule(await self.store.due_deliveries(FOREVER, limit=10_000), now, recovery=None)
        await self._purge(now)
        return scheduled

    async def _schedule(self, deliveries: list[Delivery], now: datetime, *, recovery: str | None) -> int:
        for delivery in deliveries:
            due = delivery.due_at or now
            await self.queue.schedule(
                delivery.id,
                attempt=len(delivery.attempts) + 1,
                delay_seconds=max(0.0, (due - now).total_seconds()),
                recovery=recovery,
            )
        if deliveries:
            log.warning("webhook deliveries scheduled again: %d", len(deliveries))
        return len(deliveries)

    async def _purge(self, now: datetime) -> None:
        purged = await self.store.purge_deliveries(now, limit=self.batch)
        if purged:
            log.info("expired webhook deliveries deleted: %d", purged)
