"""In-process task queue: the embedded default.

It calls the same step handler the Cloud Tasks worker endpoint calls, with a bounded number of steps in
flight, and redelivers a step that asks to be retried after the delay it names (exponential backoff with
jitter when it names none). Work in flight when the process stops is resumed from the store at next start.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence

from app.jobs.queue import Outcome, Step, StepHandler, StepResult

log = logging.getLogger(__name__)

_MAX_UNRECORDED_DELIVERIES = 10


class InlineQueue:
    def __init__(
        self,
        handler: StepHandler,
        *,
        concurrency: int,
        retry_base_seconds: float,
        retry_max_seconds: float,
    ) -> None:
        self._handler = handler
        self._slots = asyncio.Semaphore(concurrency)
        self._retry_base = retry_base_seconds
        self._retry_max = retry_max_seconds
        self._scheduled: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def enqueue(self, steps: Sequence[Step]) -> None:
        for step in steps:
            if self._closed or step.task_name in self._scheduled:
                continue
            self._scheduled.add(step.task_name)
            task = asyncio.create_task(self._deliver(step), name=f"step:{step.task_name}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, step: Step) -> None:
        deliveries = 0
        try:
            while not self._closed:
                deliveries += 1
                try:
                    async with self._slots:
                        result = await self._handler(step)
                except Exception as exc:
                    # The handler records its own failures; reaching here means the store itself failed. Try
                    # again a few times; past that the step stays queued in the store for the next start.
                    log.exception("step %s could not be delivered", step.task_name)
                    if deliveries >= _MAX_UNRECORDED_DELIVERIES:
                        return
                    result = StepResult(Outcome.RETRY, reason=type(exc).__name__)
                if result.outcome is not Outcome.RETRY:
                    return
                delay = result.retry_after
                if delay is None:
                    ceiling = min(self._retry_max, self._retry_base * 2 ** (deliveries - 1))
                    delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 — jitter, not security
                log.info("step %s will be retried in %.2fs: %s", step.task_name, delay, result.reason)
                await asyncio.sleep(delay)
        finally:
            self._scheduled.discard(step.task_name)

    async def drain(self) -> None:
        """Wait until no step is in flight or waiting (tests and benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
