"""Deliveries whose next attempt was lost are scheduled again: by the sweeper once they are long overdue (under a
recovery name), at the start of the embedded queue all of them at their due time; expired deliveries go. And on
a real server: a pending delivery left by a stopped process reaches its endpoint after the restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.sqlite_store import SqliteStore
from app.adapters.sqlite_webhooks import SCHEMA
from app.jobs.events import EventType
from app.main import create_app
from app.webhooks.models import Attempt, Delivery, DeliveryState, Webhook, delivery_id
from app.webhooks.recovery import DeliveryRecovery
from app.webhooks.store import WebhookStore
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.webhook_receiver import receiver
from tests.webhooks.test_delivery import HeldQueue

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[WebhookStore]:
    opened = await SqliteStore.open(tmp_path / "cf.db")
    yield opened.webhook_store()
    await opened.close()


def pending(event: str, *, due_in: timedelta, tried: int = 0, webhook_id: str = "wh_1") -> Delivery:
    return Delivery(
        id=delivery_id(event, webhook_id),
        webhook_id=webhook_id,
        owner="alice",
        event_id=event,
        event_type=EventType.JOB_SUCCEEDED,
        job_id="job_1",
        body=json.dumps({"id": event}),
        created_at=NOW - timedelta(hours=1),
        attempts=[Attempt(at=NOW - timedelta(hours=1), status_code=500, duration_ms=3)] * tried,
        next_attempt_at=NOW + due_in,
        expires_at=NOW + timedelta(days=30),
    )


async def test_the_sweep_schedules_again_only_what_is_long_overdue(store: WebhookStore) -> None:
    lost = pending("lost", due_in=-timedelta(minutes=20), tried=2)
    waiting = pending("waiting", due_in=-timedelta(minutes=5))  # overdue, but its task may just be late
    later = pending("later", due_in=timedelta(minutes=5))
    done = pending("done", due_in=-timedelta(hours=1)).model_copy(update={"state": DeliveryState.DELIVERED})
    for delivery in (lost, waiting, later, done):
        await store.create_delivery(delivery)
    queue = HeldQueue()
    recovery = DeliveryRecovery(store, queue, stale_seconds=600, clock=lambda: NOW)

    assert await recovery.sweep() == 1
    assert queue.scheduled == [(lost.id, 3, 0.0)]  # its third attempt, at once
    assert queue.recoveries == [f"{NOW.timestamp():.0f}"]  # a task name of its own: the lost one's is used

    later_on = DeliveryRecovery(store, queue, stale_seconds=600, clock=lambda: NOW + timedelta(minutes=10))
    assert await later_on.sweep() == 2  # the lost one again, still pending, and now the one that waited
    assert [s[0] for s in queue.scheduled[1:]] == [lost.id, waiting.id]
    assert queue.recoveries[1] != queue.recoveries[0], "each sweep names its recoveries anew"


async def test_a_restart_schedules_every_pending_delivery_at_its_due_time(store: WebhookStore) -> None:
    await store.create_delivery(pending("overdue", due_in=-timedelta(minutes=1), tried=1))
    await store.create_delivery(pending("later", due_in=timedelta(minutes=5)))
    queue = HeldQueue()
    assert await DeliveryRecovery(store, queue, stale_seconds=600, clock=lambda: NOW).restart() == 2
    assert sorted(queue.scheduled) == sorted(
        [(delivery_id("overdue", "wh_1"), 2, 0.0), (delivery_id("later", "wh_1"), 1, 300.0)]
    )
    assert queue.recoveries == [None, None]  # the embedded queue's timers, nothing to deduplicate


async def test_each_pass_deletes_expired_deliveries(store: WebhookStore) -> None:
    old = pending("old", due_in=timedelta(0)).model_copy(
        update={"state": DeliveryState.FAILED, "next_attempt_at": None, "expires_at": NOW - timedelta(seconds=1)}
    )
    await store.create_delivery(old)
    await DeliveryRecovery(store, HeldQueue(), stale_seconds=600, clock=lambda: NOW).sweep()
    assert await store.get_delivery(old.id) is None


async def test_a_file_from_before_due_times_is_migrated_and_its_deliveries_kept(tmp_path: Path) -> None:
    import aiosqlite

    path = tmp_path / "old.db"
    older = SCHEMA.replace("due_at TEXT,", "").replace("expires_at TEXT,", "")
    async with aiosqlite.connect(path) as db:
        await db.executescript(older)
        columns = {row[1] for row in await db.execute_fetchall("PRAGMA table_info(webhook_deliveries)")}
        assert "due_at" not in columns  # the schema as it first shipped
        kept = pending("kept", due_in=timedelta(0))
        await db.execute(
            "INSERT INTO webhook_deliveries (id, webhook_id, created_at, data) VALUES (?, ?, ?, ?)",
            (kept.id, kept.webhook_id, kept.created_at.isoformat(), kept.model_dump_json()),
        )
        await db.commit()
    opened = await SqliteStore.open(path)
    try:
        webhooks = opened.webhook_store()
        assert await webhooks.get_delivery(kept.id) == kept
        await webhooks.update_delivery(kept)  # writes its due time, so the sweep can find it
        assert [d.id for d in await webhooks.due_deliveries(NOW, limit=10)] == [kept.id]
    finally:
        await opened.close()
    again = await SqliteStore.open(path)  # migrating twice changes nothing
    await again.close()


async def test_a_delivery_a_stopped_process_left_pending_arrives_after_the_restart(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(webhook_allow_private_urls=True)
    with receiver() as endpoint:
        first = await SqliteStore.open(settings.sqlite_path)
        webhooks = first.webhook_store()
        await webhooks.put_webhook(
            Webhook(id="wh_1", owner="alice", url=endpoint.url, secret="whsec_s", created_at=NOW)
        )
        left = pending("left", due_in=-timedelta(minutes=1)).model_copy(
            update={"created_at": datetime.now(UTC), "next_attempt_at": datetime.now(UTC)}
        )
        await webhooks.create_delivery(left)  # stored, its timer lost with the process that held it
        await first.close()
        async for _client in open_client(create_app(settings)):
            received = await endpoint.wait_for(1)
            await asyncio.sleep(0.1)  # and the store's write of the outcome
        assert len(received) == 1 and received[0].event == {"id": "left"}
    reopened = await SqliteStore.open(settings.sqlite_path)
    try:
        delivered = await reopened.webhook_store().get_delivery(left.id)
        assert delivered is not None and delivered.state is DeliveryState.DELIVERED
    finally:
        await reopened.close()
