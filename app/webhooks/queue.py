"""The delivery queue port: when a delivery's next attempt runs. Adapters: in process (``InlineDeliveryQueue``)
and Cloud Tasks (``CloudTasksDeliveryQueue``: a task to ``POST /internal/tasks/deliveries`` at the backoff's time).

A delivery scheduled twice for the same attempt runs once (the task's name is the delivery and its attempt), unless
the second is a recovery (``recovery``: the sweeper's, for an attempt that is long overdue), which gets a name of
its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

DeliveryHandler = Callable[[str], Awaitable[None]]
"""Runs one attempt of the delivery with this id (``Deliverer.attempt``)."""


class DeliveryQueue(Protocol):
    async def schedule(
        self, delivery_id: str, *, attempt: int, delay_seconds: float, recovery: str | None = None
    ) -> None:
        """Run attempt ``attempt`` (1 is the first) of the delivery after ``delay_seconds``; ``recovery`` marks a
        scheduling again of an attempt whose task was lost (distinct per recovery)."""
        ...

    async def close(self) -> None:
        """Stop: nothing scheduled runs afterwards (a pending delivery stays pending in the store)."""
        ...
