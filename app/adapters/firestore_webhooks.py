"""Firestore webhook store (``FirestoreStore.webhook_store``), on the job store's client.

Layout:
    webhooks/{webhook_id}               owner, created_at, data (the webhook, its secret included)
    webhook_deliveries/{delivery_id}    webhook_id, created_at, due_at (a pending delivery's next attempt, else
                                        null), expires_at (TTL field), data (the delivery and its attempts)

Listing an owner's webhooks and a webhook's deliveries, newest first, needs the composite indexes in
``infra/firestore/firestore.indexes.json``; the overdue deliveries are a range on ``due_at`` alone (its automatic
index: a null ``due_at`` is outside every timestamp range), and the TTL policy on ``expires_at`` deletes old ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from app.webhooks.models import Delivery, Webhook
from app.webhooks.store import Position

WEBHOOKS, DELIVERIES = "webhooks", "webhook_deliveries"
_BATCH = 400  # below Firestore's 500 writes per batch


class FirestoreWebhookStore:
    def __init__(self, client: firestore.AsyncClient) -> None:
        self._client = client
        self._webhooks = client.collection(WEBHOOKS)
        self._deliveries = client.collection(DELIVERIES)

    async def put_webhook(self, webhook: Webhook) -> None:
        await self._webhooks.document(webhook.id).set(_webhook_document(webhook))

    async def get_webhook(self, webhook_id: str) -> Webhook | None:
        snapshot = await self._webhooks.document(webhook_id).get()
        return Webhook.model_validate(snapshot.get("data")) if snapshot.exists else None

    async def list_webhooks(self, owner: str, *, limit: int, after: Position | None) -> list[Webhook]:
        query = self._page(self._webhooks, "owner", owner, after)
        return [Webhook.model_validate(s.get("data")) async for s in query.limit(limit).stream()]

    async def delete_webhook(self, webhook_id: str) -> bool:
        ref = self._webhooks.document(webhook_id)
        if not (await ref.get()).exists:
            return False
        await ref.delete()  # first: no new delivery is attempted once it is gone
        query = self._deliveries.where(filter=FieldFilter("webhook_id", "==", webhook_id)).limit(_BATCH)
        while refs := [s.reference async for s in query.stream()]:
            batch = self._client.batch()
            for delivery in refs:
                batch.delete(delivery)
            await batch.commit()
        return True

    async def rotate_secret(self, webhook_id: str, secret: str) -> Webhook | None:
        found = await self.get_webhook(webhook_id)
        if found is None:
            return None
        rotated = found.model_copy(update={"secret": secret})
        try:
            await self._webhooks.document(webhook_id).update({"data.secret": secret})
        except gexc.NotFound:  # deleted meanwhile
            return None
        return rotated

    async def create_delivery(self, delivery: Delivery) -> bool:
        try:
            await self._deliveries.document(delivery.id).create(_delivery_document(delivery))
        except gexc.Conflict:  # AlreadyExists: the event was told before
            return False
        return True

    async def get_delivery(self, delivery_id: str) -> Delivery | None:
        snapshot = await self._deliveries.document(delivery_id).get()
        return Delivery.model_validate(snapshot.get("data")) if snapshot.exists else None

    async def update_delivery(self, delivery: Delivery) -> None:
        await self._deliveries.document(delivery.id).set(_delivery_document(delivery))

    async def list_deliveries(self, webhook_id: str, *, limit: int, after: Position | None) -> list[Delivery]:
        query = self._page(self._deliveries, "webhook_id", webhook_id, after)
        return [Delivery.model_validate(s.get("data")) async for s in query.limit(limit).stream()]

    async def due_deliveries(self, before: datetime, *, limit: int) -> list[Delivery]:
        query = self._deliveries.where(filter=FieldFilter("due_at", "<=", before)).order_by("due_at").limit(limit)
        return [Delivery.model_validate(s.get("data")) async for s in query.stream()]

    async def purge_deliveries(self, before: datetime, *, limit: int) -> int:
        """None: the TTL policy on ``expires_at`` (``firestore.indexes.json``) deletes expired deliveries."""
        return 0

    @staticmethod
    def _page(collection: Any, field: str, value: str, after: Position | None) -> Any:
        query = (
            collection.where(filter=FieldFilter(field, "==", value))
            .order_by("created_at", direction=firestore.Query.DESCENDING)
            .order_by("__name__", direction=firestore.Query.DESCENDING)
        )
        if after is not None:
            query = query.start_after({"created_at": after[0], "__name__": after[1]})
        return query


def _webhook_document(webhook: Webhook) -> dict[str, Any]:
    return {"owner": webhook.owner, "created_at": webhook.created_at, "data": webhook.model_dump(mode="json")}


def _delivery_document(delivery: Delivery) -> dict[str, Any]:
    return {
        "webhook_id": delivery.webhook_id,
        "created_at": delivery.created_at,
        "due_at": delivery.due_at,
        "expires_at": delivery.expires_at,
        "data": delivery.model_dump(mode="json"),
    }
