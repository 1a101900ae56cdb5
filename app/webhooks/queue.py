"""The delivery queue port: when a delivery's next attempt runs. Adapters: in process (``InlineDeliveryQueue``)
and Cloud Tasks (``CloudTasksDeliveryQueue``: a task to ``POST /internal/tasks/deliveries`` at the backoff's time).

A delivery scheduled twice for the same attempt runs once (the task's name is the delivery and its attempt)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

DeliveryHandler = Callable[[str], Awaitable[None]]
"""Runs one attempt of the delivery with this id (``Deliverer.attempt``)."""


class DeliveryQueue(Protocol):
    async def schedule(self, delivery_id: str, *, attempt: int, delay_seconds: float) -> None:
        """Run attempt ``attempt`` (1 is the first) of the delivery after ``delay_seconds``."""
        ...

    async def close(self) -> None:
        """Stop: nothing scheduled runs afterwards (a pending delivery stays pending in the store)."""
        ...
