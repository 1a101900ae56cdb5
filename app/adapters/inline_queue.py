"""In-process task queue: the embedded default.

It calls the same step handler the Cloud Tasks worker endpoint calls, with a bounded number of steps in
flight, and redelivers a step that asks to be retried after the delay it names (exponential backoff with
jitter when it names none). It deduplicates on the step, whatever its task name.

Closing it (the process stops) takes no new step and drops the ones waiting; the steps running get
``grace_seconds`` to finish, and are then cancelled, which hands them back to the store (the pipeline's
``worker_stopped``). Whatever did not finish is resumed from the store at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from typing import Any

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
        grace_seconds: float = 0.0,
    ) -> None:
        self._handler = handler
        self._grace = grace_seconds
        self._running: set[asyncio.Task[Any]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        self._retry_base = retry_base_seconds
        self._retry_max = retry_max_seconds
        self._scheduled: set[tuple[str, str, int]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def enqueue(self, steps: Sequence[Step]) -> None:
        for step in steps:
            if self._closed or step.key in self._scheduled:
                continue
            self._scheduled.add(step.key)
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
                        if self._closed:
                            return
                        result = await self._running_step(step)
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
            self._scheduled.discard(step.key)

    async def _running_step(self, step: Step) -> StepResult:
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            return await self._handler(step)
        finally:
            self._running.discard(task)

    async def drain(self) -> None:
        """Wait until no step is in flight or waiting (tests and benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        self._closed = True
        for task in self._tasks - self._running:  # waiting for a slot or for a retry: nothing to finish
            task.cancel()
        if self._running and self._grace > 0:
            await asyncio.wait(list(self._running), timeout=self._grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
