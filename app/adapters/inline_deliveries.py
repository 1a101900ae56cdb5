"""In-process webhook delivery queue: the embedded default. Each scheduled attempt is a task that sleeps its
backoff, then runs; a delivery is scheduled once at a time (a second schedule while one waits does nothing).

Closing it (the process stops) cancels what waits and what runs; those deliveries stay pending in the store, and
the next telling of their event (the sweeper's) schedules them again.
"""

from __future__ import annotations

import asyncio
import logging

from app.webhooks.queue import DeliveryHandler

log = logging.getLogger(__name__)


class InlineDeliveryQueue:
    def __init__(self, handler: DeliveryHandler, *, concurrency: int = 8) -> None:
        self._handler = handler
        self._slots = asyncio.Semaphore(concurrency)
        self._scheduled: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def schedule(
        self, delivery_id: str, *, attempt: int, delay_seconds: float, recovery: str | None = None
    ) -> None:
        # One timer per delivery in this process; a recovery of one that has a timer here waits for it.
        if self._closed or delivery_id in self._scheduled:
            return
        self._scheduled.add(delivery_id)
        task = asyncio.create_task(self._run(delivery_id, delay_seconds), name=f"delivery:{delivery_id}:{attempt}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, delivery_id: str, delay_seconds: float) -> None:
        try:
            await asyncio.sleep(delay_seconds)
        finally:
            self._scheduled.discard(delivery_id)  # before the attempt: it schedules the next one
        async with self._slots:
            try:
                await self._handler(delivery_id)
            except Exception:  # the store failed: the delivery stays pending for the next telling of its event
                log.exception("webhook delivery %s could not be attempted", delivery_id)

    async def drain(self) -> None:
        """Wait until nothing is scheduled (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
