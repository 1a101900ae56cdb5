"""Delivering events to webhooks: ``WebhookDispatcher`` is the ``EventPublisher`` that turns told events into
deliveries, and ``Deliverer`` makes one attempt of a delivery and schedules the next.

A delivery's id derives from the event's and the webhook's, and is created only if absent, so an event told
again (the sweeper, after a telling that failed half-way) makes no second delivery; it schedules the pending one
again, which the queue runs once. An attempt POSTs the event's JSON, signed (``signing.py``), with a timeout and
no redirects followed, to the address the destination check (``service.Destinations``) resolved just before, so
a DNS answer that changed since registration is judged again. A 2xx delivers; anything else (another status, a
timeout, a refused address or connection) is retried with exponential backoff until ``max_attempts``, then the
delivery fails. Every attempt is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from app.jobs.events import Event
from app.jobs.publishing import PublishError
from app.sources.models import SourceRejected
from app.webhooks import signing
from app.webhooks.models import Attempt, Delivery, DeliveryState, Webhook, delivery_id
from app.webhooks.queue import DeliveryQueue
from app.webhooks.service import Destinations
from app.webhooks.store import WebhookStore

log = logging.getLogger(__name__)

USER_AGENT = "content-factory-webhooks"
MAX_WEBHOOKS_READ = 100  # above the per-owner limit: every webhook of an owner in one query


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    timeout_seconds: float = 5.0  # one attempt, connection included
    max_attempts: int = 8
    backoff_seconds: float = 10.0  # after the first failed attempt; each next one waits three times longer
    backoff_factor: float = 3.0
    backoff_max_seconds: float = 3600.0

    def delay(self, failed: int) -> float:
        """Seconds to wait after the ``failed``-th failed attempt: 10 s, 30 s, 90 s, … up to an hour."""
        ceiling = max(self.backoff_max_seconds, self.backoff_seconds)
        return float(min(ceiling, self.backoff_seconds * self.backoff_factor ** (failed - 1)))


class WebhookDispatcher:
    """The ``EventPublisher`` of webhooks: one delivery per event and webhook of its owner that hears it."""

    def __init__(
        self,
        store: WebhookStore,
        queue: DeliveryQueue,
        clock: Callable[[], datetime] = _now,
        *,
        kept: timedelta = timedelta(days=30),
    ) -> None:
        self.store = store
        self.queue = queue
        self.clock = clock
        self.kept = kept  # a delivery's life in the store, as its job's (``CF_JOB_TTL_DAYS``)

    async def publish(self, events: Sequence[Event]) -> None:
        try:
            webhooks: dict[str, list[Webhook]] = {}
            for event in events:
                if event.owner not in webhooks:  # one query per owner and batch (a batch is one job's)
                    webhooks[event.owner] = await self.store.list_webhooks(
                        event.owner, limit=MAX_WEBHOOKS_READ, after=None
                    )
                for webhook in webhooks[event.owner]:
                    if webhook.hears(event.type):
                        await self._deliver(event, webhook)
        except Exception as exc:  # the store or the queue: the teller keeps the events untold, the sweeper retries
            raise PublishError(f"webhook deliveries not created: {exc!r}") from exc

    async def _deliver(self, event: Event, webhook: Webhook) -> None:
        now = self.clock()
        delivery = Delivery(
            id=delivery_id(event.id, webhook.id),
            webhook_id=webhook.id,
            owner=event.owner,
            event_id=event.id,
            event_type=event.type,
            job_id=event.job_id,
            body=event.body().decode(),
            created_at=now,
            next_attempt_at=now,
            expires_at=now + self.kept,
        )
        if await self.store.create_delivery(delivery):
            await self.queue.schedule(delivery.id, attempt=1, delay_seconds=0)
            return
        existing = await self.store.get_delivery(delivery.id)  # told before: its next attempt may have been lost
        if existing is not None and existing.state is DeliveryState.PENDING:
            due = existing.next_attempt_at or now
            await self.queue.schedule(
                existing.id, attempt=len(existing.attempts) + 1, delay_seconds=max(0.0, (due - now).total_seconds())
            )

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


class Deliverer:
    """Makes one attempt of a delivery (the delivery queue's handler) and schedules the next one."""

    def __init__(
        self,
        store: WebhookStore,
        destinations: Destinations,
        policy: DeliveryPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.destinations = destinations
        self.policy = policy
        self.clock = clock
        self.queue: DeliveryQueue | None = None  # set by the wiring: the queue's handler is this deliverer
        self._client = httpx.AsyncClient(
            transport=transport, trust_env=False, follow_redirects=False, timeout=policy.timeout_seconds
        )

    async def attempt(self, delivery_id: str) -> None:
        delivery = await self.store.get_delivery(delivery_id)
        if delivery is None or delivery.state is not DeliveryState.PENDING:
            return  # delivered, failed or deleted: a repeated task does nothing
        webhook = await self.store.get_webhook(delivery.webhook_id)
        if webhook is None:  # deleted before this attempt: nothing is sent
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            await self.store.update_delivery(delivery)
            return
        at, started = self.clock(), time.monotonic()
        status, error = await self._send(webhook, delivery)
        delivery.attempts.append(
            Attempt(at=at, status_code=status, error=error, duration_ms=round((time.monotonic() - started) * 1000))
        )
        delay: float | None = None
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.next_attempt_at = DeliveryState.DELIVERED, None
        elif len(delivery.attempts) >= self.policy.max_attempts:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            log.warning("webhook delivery %s failed after %d attempts", delivery.id, len(delivery.attempts))
        else:
            delay = self.policy.delay(len(delivery.attempts))
            delivery.next_attempt_at = at + timedelta(seconds=delay)
        await self.store.update_delivery(delivery)
        if delay is not None and self.queue is not None:
            await self.queue.schedule(delivery.id, attempt=len(delivery.attempts) + 1, delay_seconds=delay)

    async def _send(self, webhook: Webhook, delivery: Delivery) -> tuple[int | None, str | None]:
        """The endpoint's status code, or why there is none."""
        body = delivery.body.encode()
        try:
            async with asyncio.timeout(self.policy.timeout_seconds):
                url, addresses = await self.destinations.check(webhook.url)
                target = httpx.URL(url)
                headers = {
                    "Host": target.netloc.decode("ascii"),
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "X-CF-Event-Id": delivery.event_id,
                    "X-CF-Event-Type": delivery.event_type.value,
                    signing.HEADER: signing.sign(body, webhook.secret),
                }
                error = "connection_failed"
                for address in addresses:
                    request = httpx.Request(
                        "POST",
                        target.copy_with(host=address),  # the address just checked, never a second DNS answer
                        headers=headers,
                        content=body,
                        extensions={"sni_hostname": target.raw_host.decode("ascii")},
                    )
                    try:
                        response = await self._client.send(request, stream=True)
                    except httpx.ConnectError:
                        continue
                    await response.aclose()  # the body is not read: only the status counts
                    return response.status_code, None
                return None, error
        except SourceRejected as refused:
            return None, refused.code
        except (TimeoutError, httpx.TimeoutException):
            return None, "timeout"
        except httpx.HTTPError as exc:
            return None, f"http_error: {type(exc).__name__}"

    async def close(self) -> None:
        await self._client.aclose()
