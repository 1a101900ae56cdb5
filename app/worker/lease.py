"""Holding a step while its work runs: the lease renewed every third of its length, a bound on one attempt.

A claim on a step lasts ``CF_STEP_LEASE_SECONDS``. While the generation runs, the worker renews it in the store's
transaction, and only while it still holds the step (``lifecycle.renew_lease``). A worker that dies stops
renewing, so its step is free again within one lease; a worker whose renewal finds the step cancelled or taken
over stops its work and writes nothing. One attempt may run at most ``CF_STEP_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from app.content.generator import TransientGenerationError

T = TypeVar("T")


class LeaseLost(Exception):
    """The step was cancelled, or another worker took it over: this worker's result must not be written."""


class StepTimedOut(TransientGenerationError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"The step ran past its time limit of {seconds:g} s.", code="step_timeout")


async def holding(work: Awaitable[T], *, renew: Callable[[], Awaitable[bool]], lease: float, limit_seconds: float) -> T:
    """Run ``work`` while renewing the lease; ``LeaseLost`` when a renewal fails, ``StepTimedOut`` past the limit."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_seconds
    task = asyncio.ensure_future(work)
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise StepTimedOut(limit_seconds)
            done, _ = await asyncio.wait({task}, timeout=min(lease / 3, remaining))
            if done:
                return task.result()
            if loop.time() < deadline and not await renew():
                raise LeaseLost
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # its outcome no longer matters
                await task
