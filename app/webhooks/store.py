"""The webhook store port: webhooks and their deliveries. Adapters: the SQLite and Firestore stores
(``SqliteStore.webhook_store``, ``FirestoreStore.webhook_store``), beside jobs and keys.

Lists are newest first, ties broken by id, and start after a position (``app.paging``'s cursor holds one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.webhooks.models import Delivery, Webhook

Position = tuple[datetime, str]  # (created_at, id) of the last item of a page


class WebhookStore(Protocol):
    async def put_webhook(self, webhook: Webhook) -> None:
        """Insert or replace the webhook."""
        ...

    async def get_webhook(self, webhook_id: str) -> Webhook | None: ...

    async def list_webhooks(self, owner: str, *, limit: int, after: Position | None) -> list[Webhook]:
        """The owner's webhooks, newest first; also what ``publish`` reads per owner (one query on ``owner``)."""
        ...

    async def delete_webhook(self, webhook_id: str) -> bool:
        """Delete the webhook and its deliveries; ``False`` when there was none."""
        ...

    async def rotate_secret(self, webhook_id: str, secret: str) -> Webhook | None:
        """Replace the webhook's secret; ``None`` when there is no such webhook."""
        ...

    async def create_delivery(self, delivery: Delivery) -> bool:
        """Insert the delivery unless one with its id exists; whether it was inserted."""
        ...

    async def get_delivery(self, delivery_id: str) -> Delivery | None: ...

    async def update_delivery(self, delivery: Delivery) -> None:
        """Replace the stored delivery (its attempts, state and next attempt)."""
        ...

    async def list_deliveries(self, webhook_id: str, *, limit: int, after: Position | None) -> list[Delivery]:
        """The webhook's deliveries, newest first."""
        ...

    async def due_deliveries(self, before: datetime, *, limit: int) -> list[Delivery]:
        """Pending deliveries whose next attempt was due at or before ``before``, the longest overdue first."""
        ...

    async def purge_deliveries(self, before: datetime, *, limit: int) -> int:
        """Delete up to ``limit`` deliveries that expired before ``before``; how many went. A store whose
        database deletes expired documents itself (Firestore's TTL policy on ``expires_at``) deletes none."""
        ...
