"""Delivery below the API: one delivery per event and webhook however often it is told, a webhook deleted before
its attempt is never called, the destination judged again at send time, backoff, and the fan-out's failures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.sqlite_store import SqliteStore
from app.jobs.events import Event, EventType
from app.jobs.publishing import FanOut, NoPublisher, PublishError
from app.sources.models import SourceRejected
from app.webhooks.delivery import Deliverer, DeliveryPolicy, WebhookDispatcher
from app.webhooks.models import DeliveryState, Webhook, delivery_id
from app.webhooks.service import Destinations
from app.webhooks.signing import sign, verify
from app.webhooks.store import WebhookStore
from tests.fixtures.webhook_receiver import receiver

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class HeldQueue:
    """Records what is scheduled and runs nothing: the test runs the attempts."""

    def __init__(self) -> None:
        self.scheduled: list[tuple[str, int, float]] = []
        self.recoveries: list[str | None] = []

    async def schedule(
        self, delivery_id: str, *, attempt: int, delay_seconds: float, recovery: str | None = None
    ) -> None:
        self.scheduled.append((delivery_id, attempt, delay_seconds))
        self.recoveries.append(recovery)

    async def close(self) -> None:
        return None


class Refusing:
    async def publish(self, events: Sequence[Event]) -> None:
        raise PublishError("topic unavailable")

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[WebhookStore]:
    opened = await SqliteStore.open(tmp_path / "cf.db")
    yield opened.webhook_store()
    await opened.close()


def event(kind: EventType = EventType.JOB_SUCCEEDED, owner: str = "alice") -> Event:
    return Event(
        id=f"job_1.3.{kind.value}", type=kind, time=NOW, job_id="job_1", version=3, owner=owner, job={"id": "job_1"}
    )


def webhook(url: str, *, events: list[EventType] | None = None, owner: str = "alice") -> Webhook:
    return Webhook(
        id=f"wh_{owner}", owner=owner, url=url, events=events or list(EventType), secret="whsec_s", created_at=NOW
    )


OPEN = Destinations(require_https=False, allow_private=True)


async def test_an_event_told_twice_makes_one_delivery_and_only_hearing_webhooks_get_one(store: WebhookStore) -> None:
    queue = HeldQueue()
    dispatcher = WebhookDispatcher(store, queue, clock=lambda: NOW)
    await store.put_webhook(webhook("http://127.0.0.1:9/a", events=[EventType.JOB_FAILED]))
    await store.put_webhook(webhook("http://127.0.0.1:9/b", owner="bob"))
    await dispatcher.publish([event()])
    assert queue.scheduled == []  # alice's webhook does not hear job.succeeded; bob's hears only bob's jobs
    await store.put_webhook(webhook("http://127.0.0.1:9/a"))
    await dispatcher.publish([event()])
    await dispatcher.publish([event()])  # the sweeper tells it again
    expected = delivery_id("job_1.3.job.succeeded", "wh_alice")
    assert len(await store.list_deliveries("wh_alice", limit=10, after=None)) == 1
    assert queue.scheduled == [(expected, 1, 0), (expected, 1, 0)]  # the pending one again: the queue runs it once


async def test_a_webhook_deleted_before_the_attempt_is_not_called(store: WebhookStore) -> None:
    queue = HeldQueue()
    with receiver() as endpoint:
        await store.put_webhook(webhook(endpoint.url))
        await WebhookDispatcher(store, queue).publish([event()])
        await store.delete_webhook("wh_alice")
        deliverer = Deliverer(store, OPEN, DeliveryPolicy())
        await deliverer.attempt(queue.scheduled[0][0])
        await deliverer.close()
        assert endpoint.count() == 0


async def test_a_failed_attempt_is_recorded_and_the_next_scheduled_with_backoff(store: WebhookStore) -> None:
    queue = HeldQueue()
    with receiver(answers=[500, 502]) as endpoint:
        await store.put_webhook(webhook(endpoint.url))
        await WebhookDispatcher(store, queue).publish([event()])
        deliverer = Deliverer(store, OPEN, DeliveryPolicy(backoff_seconds=10, max_attempts=3))
        deliverer.queue = queue
        made = queue.scheduled[0][0]
        for _ in range(3):
            await deliverer.attempt(made)
        await deliverer.attempt(made)  # a repeated task of a finished delivery does nothing
        await deliverer.close()
    assert [(attempt, delay) for _, attempt, delay in queue.scheduled] == [(1, 0), (2, 10), (3, 30)]
    delivery = await store.get_delivery(made)
    assert delivery is not None and delivery.state is DeliveryState.DELIVERED
    assert [a.status_code for a in delivery.attempts] == [500, 502, 200] and endpoint.count() == 3


async def test_the_destination_is_judged_again_at_send_time(store: WebhookStore) -> None:
    queue = HeldQueue()
    with receiver() as endpoint:
        await store.put_webhook(webhook(endpoint.url))
        await WebhookDispatcher(store, queue).publish([event()])
        strict = Deliverer(store, Destinations(require_https=False, allow_private=False), DeliveryPolicy())
        await strict.attempt(queue.scheduled[0][0])
        await strict.close()
        assert endpoint.count() == 0
    delivery = await store.get_delivery(queue.scheduled[0][0])
    assert delivery is not None and delivery.attempts[0].error == "url_blocked_address"


async def test_production_destinations_need_https() -> None:
    async def public(host: str, port: int) -> list[str]:
        return ["93.184.215.14"]

    production = Destinations(require_https=True, allow_private=False, resolver=public)
    with pytest.raises(SourceRejected) as refused:
        await production.check("http://hooks.example.com/in")
    assert refused.value.code == "url_scheme" and refused.value.details["field"] == "url"
    assert await production.check("https://hooks.example.com/in") == ("https://hooks.example.com/in", ["93.184.215.14"])


async def test_a_fan_out_raises_when_one_publisher_failed() -> None:
    await FanOut(NoPublisher(), NoPublisher()).publish([event()])
    with pytest.raises(PublishError, match="topic unavailable"):
        await FanOut(NoPublisher(), Refusing()).publish([event()])


def test_a_signature_verifies_only_its_body_secret_and_time() -> None:
    header = sign(b'{"a": 1}', "whsec_s", timestamp=1_000_000)
    assert header.startswith("t=1000000,v1=")
    assert verify(header, b'{"a": 1}', "whsec_s", now=1_000_100)
    assert not verify(header, b'{"a": 2}', "whsec_s", now=1_000_100)
    assert not verify(header, b'{"a": 1}', "whsec_other", now=1_000_100)
    assert not verify(header, b'{"a": 1}', "whsec_s", now=1_000_301)  # past the tolerance: a replay
    assert not verify("v1=abc", b"{}", "whsec_s")
