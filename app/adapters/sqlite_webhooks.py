"""SQLite webhook store: webhooks and their deliveries in the SQLite store's file, on its connection and under its
write lock (``SqliteStore.webhook_store``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from app.webhooks.models import Delivery, Webhook
from app.webhooks.store import Position

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_owner_created ON webhooks (owner, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_created
    ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
"""
# Columns added after the table first shipped: added to an older file by ``migrate``, then indexed.
_ADDED = {"due_at": "TEXT", "expires_at": "TEXT"}
_ADDED_INDEXES = """
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS webhook_deliveries_expiry ON webhook_deliveries (expires_at) WHERE expires_at IS NOT NULL;
"""


async def migrate(db: aiosqlite.Connection) -> None:
    """Bring a file made by an older release up to this schema (after ``SCHEMA`` ran)."""
    present = {row[1] for row in await db.execute_fetchall("PRAGMA table_info(webhook_deliveries)")}
    for column, kind in _ADDED.items():
        if column not in present:
            await db.execute(f"ALTER TABLE webhook_deliveries ADD COLUMN {column} {kind}")  # names from _ADDED
    await db.executescript(_ADDED_INDEXES)


class SqliteWebhookStore:
    def __init__(self, db: aiosqlite.Connection, write_lock: asyncio.Lock) -> None:
        self._db = db
        self._write_lock = write_lock  # the job store's: one connection, so one transaction at a time

    async def put_webhook(self, webhook: Webhook) -> None:
        async with self._write_lock:
            await self._db.execute(
                "INSERT INTO webhooks (id, owner, created_at, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                (webhook.id, webhook.owner, _stamp(webhook.created_at), webhook.model_dump_json()),
            )

    async def get_webhook(self, webhook_id: str) -> Webhook | None:
        rows = await self._db.execute_fetchall("SELECT data FROM webhooks WHERE id = ?", (webhook_id,))
        row = next(iter(rows), None)
        return None if row is None else Webhook.model_validate_json(row[0])

    async def list_webhooks(self, owner: str, *, limit: int, after: Position | None) -> list[Webhook]:
        rows = await self._page("webhooks", "owner", owner, limit, after)
        return [Webhook.model_validate_json(row[0]) for row in rows]

    async def delete_webhook(self, webhook_id: str) -> bool:
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = await self._db.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
                await self._db.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", (webhook_id,))
                await self._db.execute("COMMIT")
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
        return cursor.rowcount > 0

    async def rotate_secret(self, webhook_id: str, secret: str) -> Webhook | None:
        async with self._write_lock:
            found = await self.get_webhook(webhook_id)
            if found is None:
                return None
            rotated = found.model_copy(update={"secret": secret})
            await self._db.execute("UPDATE webhooks SET data = ? WHERE id = ?", (rotated.model_dump_json(), webhook_id))
        return rotated

    async def create_delivery(self, delivery: Delivery) -> bool:
        async with self._write_lock:
            cursor = await self._db.execute(
                "INSERT INTO webhook_deliveries (id, webhook_id, created_at, due_at, expires_at, data) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                (
                    delivery.id,
                    delivery.webhook_id,
                    _stamp(delivery.created_at),
                    _maybe(delivery.due_at),
                    _maybe(delivery.expires_at),
                    delivery.model_dump_json(),
                ),
            )
        return cursor.rowcount > 0

    async def get_delivery(self, delivery_id: str) -> Delivery | None:
        rows = await self._db.execute_fetchall("SELECT data FROM webhook_deliveries WHERE id = ?", (delivery_id,))
        row = next(iter(rows), None)
        return None if row is None else Delivery.model_validate_json(row[0])

    async def update_delivery(self, delivery: Delivery) -> None:
        async with self._write_lock:
            await self._db.execute(
                "UPDATE webhook_deliveries SET due_at = ?, expires_at = ?, data = ? WHERE id = ?",
                (_maybe(delivery.due_at), _maybe(delivery.expires_at), delivery.model_dump_json(), delivery.id),
            )

    async def list_deliveries(self, webhook_id: str, *, limit: int, after: Position | None) -> list[Delivery]:
        rows = await self._page("webhook_deliveries", "webhook_id", webhook_id, limit, after)
        return [Delivery.model_validate_json(row[0]) for row in rows]

    async def due_deliveries(self, before: datetime, *, limit: int) -> list[Delivery]:
        rows = await self._db.execute_fetchall(
            "SELECT data FROM webhook_deliveries WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
            (_stamp(before), limit),
        )
        return [Delivery.model_validate_json(row[0]) for row in rows]

    async def purge_deliveries(self, before: datetime, *, limit: int) -> int:
        async with self._write_lock:
            cursor = await self._db.execute(
                "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries "
                "WHERE expires_at IS NOT NULL AND expires_at < ? LIMIT ?)",
                (_stamp(before), limit),
            )
        return cursor.rowcount

    async def _page(self, table: str, column: str, value: str, limit: int, after: Position | None) -> list[Any]:
        # Only this module's own table and column names are interpolated (checked here); every value is bound.
        if (table, column) not in _PAGED:
            raise ValueError(f"not a paged listing: {table}.{column}")
        order = "ORDER BY created_at DESC, id DESC LIMIT ?"
        if after is None:
            sql = f"SELECT data FROM {table} WHERE {column} = ? {order}"  # noqa: S608  # nosec B608
            return list(await self._db.execute_fetchall(sql, (value, limit)))
        stamp = _stamp(after[0])
        page = "(created_at < ? OR (created_at = ? AND id < ?))"
        sql = f"SELECT data FROM {table} WHERE {column} = ? AND {page} {order}"  # noqa: S608  # nosec B608
        return list(await self._db.execute_fetchall(sql, (value, stamp, stamp, after[1], limit)))


_PAGED = frozenset({("webhooks", "owner"), ("webhook_deliveries", "webhook_id")})


def _maybe(moment: datetime | None) -> str | None:
    return None if moment is None else _stamp(moment)


def _stamp(moment: datetime) -> str:
    # One fixed-width UTC format, so text order is time order (as the job store's).
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
