"""Webhooks as the API sees them: register (the URL checked like a URL source's), list, read, delete, rotate the
secret, and page a webhook's deliveries. Another owner's webhook is not found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from app import paging
from app.errors import Conflict, NotFound
from app.jobs.events import EventType
from app.sources import fetch
from app.sources.models import SourceRejected
from app.webhooks.models import Delivery, Webhook, new_secret, new_webhook_id
from app.webhooks.store import Position, WebhookStore

MAX_WEBHOOKS = 20  # per owner


@dataclass(frozen=True, slots=True)
class Destinations:
    """Which URLs a webhook may call: https only in production; public addresses unless private ones are allowed
    (tests on 127.0.0.1)."""

    require_https: bool
    allow_private: bool
    resolver: fetch.Resolver = fetch.system_resolver

    async def check(self, url: str) -> tuple[str, list[str]]:
        """The URL as it will be called, and the checked addresses to connect to; ``SourceRejected`` (a 422
        naming ``url``) for a URL that may not be called."""
        parsed = fetch.parse_url(url)
        if self.require_https and parsed.scheme != "https":
            raise SourceRejected("A webhook URL must use https://.", code="url_scheme", field="url", allowed=["https"])
        addresses = await fetch.checked_addresses(parsed, allow_private=self.allow_private, resolver=self.resolver)
        return str(parsed), addresses


@dataclass(frozen=True, slots=True)
class WebhooksService:
    store: WebhookStore
    destinations: Destinations
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def register(self, owner: str, url: str, events: list[EventType] | None) -> Webhook:
        """A new webhook, with its secret (shown to the caller this once)."""
        checked, _ = await self.destinations.check(url)
        existing = await self.store.list_webhooks(owner, limit=MAX_WEBHOOKS, after=None)
        if len(existing) >= MAX_WEBHOOKS:
            raise Conflict(
                f"An owner may have at most {MAX_WEBHOOKS} webhooks; delete one first.",
                code="webhook_limit",
                details={"field": "url", "limit": MAX_WEBHOOKS},
            )
        webhook = Webhook(
            id=new_webhook_id(),
            owner=owner,
            url=checked,
            events=list(dict.fromkeys(events)) if events else list(EventType),
            secret=new_secret(),
            created_at=self.clock(),
        )
        await self.store.put_webhook(webhook)
        return webhook

    async def get(self, owner: str, webhook_id: str) -> Webhook:
        webhook = await self.store.get_webhook(webhook_id)
        if webhook is None or webhook.owner != owner:
            raise NotFound(f"No webhook {webhook_id}.", code="webhook_not_found")
        return webhook

    async def page(self, owner: str, *, limit: int, cursor: str | None) -> tuple[list[Webhook], str | None]:
        found = await self.store.list_webhooks(owner, limit=limit + 1, after=_position(cursor))
        items = found[:limit]
        more = len(found) > limit
        return items, paging.encode_cursor(items[-1].created_at, items[-1].id) if more else None

    async def delete(self, owner: str, webhook_id: str) -> None:
        webhook = await self.get(owner, webhook_id)
        await self.store.delete_webhook(webhook.id)

    async def rotate(self, owner: str, webhook_id: str) -> Webhook:
        """The webhook under a new secret; the old one signs nothing from now on."""
        webhook = await self.get(owner, webhook_id)
        rotated = await self.store.rotate_secret(webhook.id, new_secret())
        if rotated is None:  # deleted meanwhile
            raise NotFound(f"No webhook {webhook_id}.", code="webhook_not_found")
        return rotated

    async def deliveries(
        self, owner: str, webhook_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        webhook = await self.get(owner, webhook_id)
        found = await self.store.list_deliveries(webhook.id, limit=limit + 1, after=_position(cursor))
        items = found[:limit]
        more = len(found) > limit
        return items, paging.encode_cursor(items[-1].created_at, items[-1].id) if more else None


def _position(cursor: str | None) -> Position | None:
    return paging.decode_cursor(cursor) if cursor else None
