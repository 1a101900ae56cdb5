"""Request and response bodies of ``/v1/webhooks``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.jobs.events import EventType
from app.webhooks.models import Attempt, Delivery, DeliveryState, Webhook

MAX_URL_LENGTH = 2048


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH, description="Where events are POSTed (https).")
    events: list[EventType] | None = Field(
        default=None, min_length=1, description="The event types to send; unset: all of them."
    )


class WebhookPublic(BaseModel):
    id: str
    url: str
    events: list[EventType]
    created_at: datetime

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookPublic:
        return cls(id=webhook.id, url=webhook.url, events=webhook.events, created_at=webhook.created_at)


class WebhookSecret(WebhookPublic):
    secret: str = Field(description="Signs every delivery (X-CF-Signature). Shown only now: keep it.")

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookSecret:
        return cls(**WebhookPublic.of(webhook).model_dump(), secret=webhook.secret)


class WebhookPage(BaseModel):
    items: list[WebhookPublic]
    next_cursor: str | None


class DeliveryPublic(BaseModel):
    id: str
    webhook_id: str
    event_id: str
    event_type: EventType
    job_id: str
    created_at: datetime
    state: DeliveryState
    attempts: list[Attempt]
    next_attempt_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryPublic:
        return cls(**delivery.model_dump(exclude={"owner", "body"}))


class DeliveryPage(BaseModel):
    items: list[DeliveryPublic]
    next_cursor: str | None
