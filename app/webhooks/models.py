"""A webhook (an owner's endpoint and the event types it hears) and a delivery (one event to one webhook, with
every attempt)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from app.jobs.events import EventType

SECRET_PREFIX = "whsec_"  # noqa: S105 — the form of a secret, not one


def new_webhook_id() -> str:
    return "wh_" + secrets.token_urlsafe(12)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def delivery_id(event_id: str, webhook_id: str) -> str:
    """Deterministic, so that an event told twice (the sweeper after a failed telling) makes one delivery."""
    return "dlv_" + hashlib.sha256(f"{event_id}\x00{webhook_id}".encode()).hexdigest()[:40]


class Webhook(BaseModel):
    id: str
    owner: str
    url: str
    events: list[EventType] = Field(default_factory=lambda: list(EventType))
    secret: str
    created_at: datetime

    def hears(self, kind: EventType) -> bool:
        return kind in self.events


class DeliveryState(StrEnum):
    PENDING = "pending"  # an attempt is scheduled
    DELIVERED = "delivered"  # an attempt was answered with 2xx
    FAILED = "failed"  # every attempt failed, or the webhook was deleted


class Attempt(BaseModel):
    at: datetime
    status_code: int | None = None  # the endpoint's answer, when there was one
    error: str | None = None  # else why there was none (timeout, connection, refused address)
    duration_ms: int


class Delivery(BaseModel):
    id: str
    webhook_id: str
    owner: str
    event_id: str
    event_type: EventType
    job_id: str
    body: str  # the event's JSON, as it was when told
    created_at: datetime
    attempts: list[Attempt] = Field(default_factory=list)
    state: DeliveryState = DeliveryState.PENDING
    next_attempt_at: datetime | None = None
    expires_at: datetime | None = None  # deleted afterwards, as its job is (``CF_JOB_TTL_DAYS``)

    @property
    def due_at(self) -> datetime | None:
        """When the next attempt is due, for a pending delivery; None once it is delivered or failed."""
        return self.next_attempt_at if self.state is DeliveryState.PENDING else None
