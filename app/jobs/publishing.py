"""The event publishing port: where a job's events (``events.py``) go once the change that made them is stored.
Adapters: Pub/Sub (``adapters/pubsub_events.py``), webhooks (``webhooks/delivery.py``), ``FanOut`` to tell
several, and ``NoPublisher``.

    PublishError          the events were not all published
    └── EventsRefused     the service refused some of them, or did not accept them in time

Events carry stable ids, so a caller that meets an error publishes the events again later; consumers drop the
ones they already have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from app.jobs.events import Event


class PublishError(Exception):
    """The events were not all published."""


class EventsRefused(PublishError):
    """Some events were not accepted. ``refused`` holds their ids, oldest first; the others were accepted.

    Within one job the refused events are the last ones of the batch (a job's later events are held back once one
    fails, to keep its order), so publishing the refused ones again keeps every job's order.
    """

    def __init__(self, message: str, *, refused: Sequence[str]) -> None:
        super().__init__(message)
        self.refused = tuple(refused)


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[Event]) -> None:
        """Return once every event was accepted, each job's in the order given; else raise ``PublishError``."""
        ...

    async def ping(self) -> None:
        """Raise when the destination cannot be reached (readiness)."""
        ...

    async def close(self) -> None:
        """Release the connection; nothing is published afterwards."""
        ...


class NoPublisher:
    """No topic is configured: events stay in each job's history (webhooks and the event stream still read it)."""

    async def publish(self, events: Sequence[Event]) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


class FanOut:
    """Every event to each publisher. Raises ``PublishError`` when any of them failed, so the teller keeps the
    events untold and the sweeper tells them again to all: each destination drops (or never makes) what it has."""

    def __init__(self, *publishers: EventPublisher) -> None:
        self.publishers = publishers

    async def publish(self, events: Sequence[Event]) -> None:
        results = await asyncio.gather(*(p.publish(events) for p in self.publishers), return_exceptions=True)
        failed = [result for result in results if isinstance(result, BaseException)]
        for result in failed:
            if not isinstance(result, Exception):
                raise result  # a cancellation
        if failed:
            raise PublishError("; ".join(str(error) or type(error).__name__ for error in failed)) from failed[0]

    async def ping(self) -> None:
        for publisher in self.publishers:
            await publisher.ping()

    async def close(self) -> None:
        for publisher in self.publishers:
            await publisher.close()
