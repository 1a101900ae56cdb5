"""The webhook store contract, on both adapters: owner-scoped pages newest first, secrets rotated, deliveries
created once per id and paged newest first, and a deleted webhook taking its deliveries with it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.jobs.events import EventType
from app.webhooks.models import Attempt, Delivery, DeliveryState, Webhook, delivery_id
from app.webhooks.store import WebhookStore
from tests.fixtures.jobs import T0
from tests.fixtures.stores import ADAPTERS, open_store


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[WebhookStore]:
    async with open_store(request, tmp_path) as opened:
        yield opened.webhook_store()


def make_webhook(webhook_id: str, *, owner: str = "alice", minutes: int = 0) -> Webhook:
    return Webhook(
        id=webhook_id,
        owner=owner,
        url=f"https://example.com/{webhook_id}",
        events=[EventType.JOB_SUCCEEDED],
        secret="whsec_first",
        created_at=T0 + timedelta(minutes=minutes),
    )


def make_delivery(event: str, webhook_id: str = "w1", *, minutes: int = 0) -> Delivery:
    return Delivery(
        id=delivery_id(event, webhook_id),
        webhook_id=webhook_id,
        owner="alice",
        event_id=event,
        event_type=EventType.JOB_SUCCEEDED,
        job_id="job_1",
        body=json.dumps({"id": event}),
        created_at=T0 + timedelta(minutes=minutes),
    )


async def test_webhooks_are_owner_scoped_newest_first_and_paged(store: WebhookStore) -> None:
    for i in range(4):
        await store.put_webhook(make_webhook(f"a{i}", minutes=i))
    await store.put_webhook(make_webhook("b0", owner="bob"))
    assert await store.get_webhook("a1") == make_webhook("a1", minutes=1)
    assert await store.get_webhook("missing") is None
    first = await store.list_webhooks("alice", limit=2, after=None)
    assert [w.id for w in first] == ["a3", "a2"]
    rest = await store.list_webhooks("alice", limit=10, after=(first[-1].created_at, first[-1].id))
    assert [w.id for w in rest] == ["a1", "a0"]
    assert [w.id for w in await store.list_webhooks("bob", limit=10, after=None)] == ["b0"]


async def test_rotating_replaces_only_the_secret(store: WebhookStore) -> None:
    await store.put_webhook(make_webhook("w1"))
    rotated = await store.rotate_secret("w1", "whsec_second")
    assert rotated is not None and rotated.secret == "whsec_second"
    assert await store.get_webhook("w1") == make_webhook("w1").model_copy(update={"secret": "whsec_second"})
    assert await store.rotate_secret("missing", "whsec_x") is None


async def test_a_delivery_is_created_once_updated_and_paged_newest_first(store: WebhookStore) -> None:
    await store.put_webhook(make_webhook("w1"))
    first = make_delivery("e1")
    assert await store.create_delivery(first) is True
    assert await store.create_delivery(first.model_copy(update={"body": "{}"})) is False
    assert await store.get_delivery(first.id) == first
    tried = first.model_copy(
        update={
            "attempts": [Attempt(at=T0, status_code=500, duration_ms=12)],
            "next_attempt_at": T0 + timedelta(seconds=10),
        }
    )
    await store.update_delivery(tried)
    assert await store.get_delivery(first.id) == tried
    for i in range(2, 5):
        await store.create_delivery(make_delivery(f"e{i}", minutes=i))
    await store.create_delivery(make_delivery("e9", "w2"))
    page = await store.list_deliveries("w1", limit=2, after=None)
    assert [d.event_id for d in page] == ["e4", "e3"]
    rest = await store.list_deliveries("w1", limit=10, after=(page[-1].created_at, page[-1].id))
    assert [d.event_id for d in rest] == ["e2", "e1"]
    assert rest[-1].state is DeliveryState.PENDING and rest[-1].attempts[0].status_code == 500


async def test_deleting_a_webhook_deletes_its_deliveries(store: WebhookStore) -> None:
    await store.put_webhook(make_webhook("w1"))
    await store.put_webhook(make_webhook("w2"))
    await store.create_delivery(make_delivery("e1", "w1"))
    await store.create_delivery(make_delivery("e1", "w2"))
    assert await store.delete_webhook("w1") is True
    assert await store.delete_webhook("w1") is False
    assert await store.get_webhook("w1") is None
    assert await store.get_delivery(delivery_id("e1", "w1")) is None
    assert await store.get_delivery(delivery_id("e1", "w2")) is not None


async def test_due_deliveries_are_the_pending_ones_past_due_longest_overdue_first(store: WebhookStore) -> None:
    await store.put_webhook(make_webhook("w1"))
    due = {"late": -30, "later": -60, "soon": 30}  # minutes from T0 to the next attempt
    for event, minutes in due.items():
        delivery = make_delivery(event).model_copy(update={"next_attempt_at": T0 + timedelta(minutes=minutes)})
        await store.create_delivery(delivery)
    delivered = make_delivery("done").model_copy(
        update={"next_attempt_at": T0 - timedelta(hours=2)}  # stored pending, then delivered: no longer due
    )
    await store.create_delivery(delivered)
    await store.update_delivery(
        delivered.model_copy(update={"state": DeliveryState.DELIVERED, "next_attempt_at": None})
    )
    never = make_delivery("unscheduled")  # no next attempt recorded: nothing is due
    await store.create_delivery(never)

    found = await store.due_deliveries(T0, limit=10)
    assert [d.event_id for d in found] == ["later", "late"]
    assert [d.event_id for d in await store.due_deliveries(T0, limit=1)] == ["later"]
    assert [d.event_id for d in await store.due_deliveries(T0 + timedelta(hours=1), limit=10)] == [
        "later",
        "late",
        "soon",
    ]
    rescheduled = found[0].model_copy(update={"next_attempt_at": T0 + timedelta(hours=2)})
    await store.update_delivery(rescheduled)  # an attempt failed again: due later
    assert [d.event_id for d in await store.due_deliveries(T0, limit=10)] == ["late"]


async def test_purging_deletes_expired_deliveries_or_leaves_them_to_the_databases_ttl(store: WebhookStore) -> None:
    await store.put_webhook(make_webhook("w1"))
    old = make_delivery("old").model_copy(update={"expires_at": T0 - timedelta(days=1)})
    young = make_delivery("young").model_copy(update={"expires_at": T0 + timedelta(days=1)})
    kept = make_delivery("kept")  # stored before deliveries had an expiry: kept
    for delivery in (old, young, kept):
        await store.create_delivery(delivery)
    purged = await store.purge_deliveries(T0, limit=10)
    remaining = {d.event_id for d in await store.list_deliveries("w1", limit=10, after=None)}
    assert remaining == {"young", "kept"} | ({"old"} if purged == 0 else set())
    assert purged in (0, 1)
    if type(store).__name__.startswith("Sqlite"):
        assert purged == 1, "SQLite has no TTL: the store deletes what expired"
    assert await store.purge_deliveries(T0, limit=10) == 0
