"""The event publishing port: where a job's events (``events.py``) go once the change that made them is stored.
Adapters: Pub/Sub (``adapters/pubsub_events.py``), and ``NoPublisher`` when no topic is set.

    PublishError          the events were not all published
    └── EventsRefused     the service refused some of them, or did not accept them in time

Events carry stable ids, so a caller that meets an error publishes the events again later; consumers drop the
ones they already have.
"""

from __future__ import annotations

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
