"""Webhooks over the API, delivering to a real endpoint on 127.0.0.1: every event of a job arrives signed, a 500
is retried, another owner's jobs send nothing, deliveries show their attempts, and the URL rules hold."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.main import create_app
from app.webhooks.signing import verify
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client, text
from tests.fixtures.webhook_receiver import Receiver, receiver

JOB = {"source_text": "", "artifacts": ["outline", "flashcards"]}


@pytest.fixture
async def api(make_settings: MakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(webhook_allow_private_urls=True, webhook_backoff_seconds=0.02, webhook_max_attempts=3)
    async for client in open_client(create_app(settings)):
        yield client


@pytest.fixture
def endpoint() -> Iterator[Receiver]:
    with receiver(answers=[500]) as recorder:
        yield recorder


async def other_key(client: httpx.AsyncClient) -> dict[str, str]:
    created = await client.post("/v1/admin/keys", json={"owner": "someone-else", "name": "other"})
    assert created.status_code == 201, created.text
    return {"X-API-Key": created.json()["key"]}


async def run_job(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> dict[str, object]:
    created = await client.post(
        "/v1/jobs", json={**JOB, "source_text": text("photosynthesis.txt")}, headers=headers or {}
    )
    assert created.status_code in (201, 202), created.text
    if headers:  # another owner's job: read it with its own key
        other = httpx.AsyncClient(transport=client._transport, base_url=client.base_url, headers=headers)
        async with other:
            return await wait_for_job(other, created.json()["id"])
    return await wait_for_job(client, created.json()["id"])


async def test_every_event_of_a_job_arrives_signed_and_a_500_is_retried(
    api: httpx.AsyncClient, endpoint: Receiver
) -> None:
    created = await api.post("/v1/webhooks", json={"url": endpoint.url})
    assert created.status_code == 201, created.text
    webhook = created.json()
    assert webhook["secret"].startswith("whsec_") and len(webhook["events"]) == 6
    assert created.headers["location"] == f"/v1/webhooks/{webhook['id']}"
    assert "secret" not in (await api.get(f"/v1/webhooks/{webhook['id']}")).json()

    other = await other_key(api)
    foreign = await run_job(api, other)  # another owner's job: nothing for this webhook
    job = await run_job(api)
    assert job["status"] == "succeeded"
    received = await endpoint.wait_for(4)  # outline, flashcards, job.succeeded, and the retried first one
    for delivery in received:
        headers = delivery.headers
        assert verify(headers["x-cf-signature"], delivery.body, webhook["secret"])
        assert headers["content-type"] == "application/json"
        assert headers["user-agent"] == "content-factory-webhooks"
        assert headers["x-cf-event-id"] == delivery.event["id"]
        assert headers["x-cf-event-type"] == delivery.event["type"]
        assert delivery.event["job_id"] == job["id"] != foreign["id"]
        assert "owner" not in delivery.event
    ids = [d.event["id"] for d in received]
    assert len(ids) == 4 and len(set(ids)) == 3  # two artifacts and the job
    assert ids.count(ids[0]) == 2  # the one answered 500 came again
    assert sorted({d.event["type"] for d in received}) == ["artifact.succeeded", "job.succeeded"]

    for _ in range(200):  # the endpoint has answered; the deliverer's write of the outcome follows
        page = (await api.get(f"/v1/webhooks/{webhook['id']}/deliveries")).json()
        if all(item["state"] == "delivered" for item in page["items"]):
            break
        await asyncio.sleep(0.02)
    assert len(page["items"]) == 3 and page["next_cursor"] is None
    by_event = {item["event_id"]: item for item in page["items"]}
    retried = by_event[received[0].event["id"]]
    assert [a["status_code"] for a in retried["attempts"]] == [500, 200]
    assert retried["state"] == "delivered" and retried["next_attempt_at"] is None
    assert all(item["state"] == "delivered" for item in page["items"])


async def test_attempts_end_in_failed_after_the_last_one(api: httpx.AsyncClient) -> None:
    with receiver(otherwise=503) as endpoint:
        created = await api.post("/v1/webhooks", json={"url": endpoint.url, "events": ["job.succeeded"]})
        webhook = created.json()
        await run_job(api)
        await endpoint.wait_for(3)
        for _ in range(200):
            items = (await api.get(f"/v1/webhooks/{webhook['id']}/deliveries")).json()["items"]
            if items and items[0]["state"] != "pending":
                break
            await endpoint.wait_for(0, polls=1)
    assert len(items) == 1 and items[0]["event_type"] == "job.succeeded"
    assert items[0]["state"] == "failed"
    assert [a["status_code"] for a in items[0]["attempts"]] == [503, 503, 503]
    assert endpoint.count() == 3


async def test_a_webhook_is_its_owners_listed_rotated_and_deleted(api: httpx.AsyncClient, endpoint: Receiver) -> None:
    first = (await api.post("/v1/webhooks", json={"url": endpoint.url})).json()
    second = (await api.post("/v1/webhooks", json={"url": endpoint.url + "/2"})).json()
    page = (await api.get("/v1/webhooks", params={"limit": 1})).json()
    assert [w["id"] for w in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = (await api.get("/v1/webhooks", params={"cursor": page["next_cursor"]})).json()
    assert [w["id"] for w in rest["items"]] == [first["id"]]

    other = await other_key(api)
    for path in (f"/v1/webhooks/{first['id']}", f"/v1/webhooks/{first['id']}/deliveries"):
        assert (await api.get(path, headers=other)).status_code == 404
    assert (await api.delete(f"/v1/webhooks/{first['id']}", headers=other)).status_code == 404
    assert (await api.get("/v1/webhooks", headers=other)).json()["items"] == []

    rotated = await api.post(f"/v1/webhooks/{first['id']}/rotate")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != first["secret"]

    assert (await api.delete(f"/v1/webhooks/{first['id']}")).status_code == 204
    assert (await api.get(f"/v1/webhooks/{first['id']}")).status_code == 404


async def test_bad_bodies_name_the_field(api: httpx.AsyncClient) -> None:
    cases = [
        ({"url": "https://example.com/" + "a" * 2048}, "url"),
        ({"url": "https://example.com/h", "events": ["job.exploded"]}, "events.0"),
        ({"url": "https://example.com/h", "events": []}, "events"),
        ({"url": "https://example.com/h", "secret": "mine"}, "secret"),
        ({"url": "ftp://example.com/h"}, "url"),
    ]
    for body, field in cases:
        refused = await api.post("/v1/webhooks", json=body)
        assert refused.status_code == 422, (body, refused.text)
        details = refused.json()["error"]["details"]
        fields = [d["field"] for d in details] if isinstance(details, list) else [details["field"]]
        assert field in fields, (body, details)


async def test_an_owner_has_at_most_twenty_webhooks(api: httpx.AsyncClient, endpoint: Receiver) -> None:
    for i in range(20):
        assert (await api.post("/v1/webhooks", json={"url": f"{endpoint.url}/{i}"})).status_code == 201
    refused = await api.post("/v1/webhooks", json={"url": endpoint.url})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "webhook_limit"
    assert refused.json()["error"]["details"]["limit"] == 20


async def test_a_private_address_is_refused_when_private_urls_are_not_allowed(make_settings: MakeSettings) -> None:
    async for client in open_client(create_app(make_settings())):
        refused = await client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"})
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "url_blocked_address"
        assert refused.json()["error"]["details"]["field"] == "url"


async def test_the_delivery_task_endpoint_needs_the_worker_and_runs_an_attempt(make_settings: MakeSettings) -> None:
    secret = {"X-CF-Worker-Secret": "s3cret-worker-value"}
    settings = make_settings(worker_secret="s3cret-worker-value")
    async for client in open_client(create_app(settings)):
        refused = await client.post("/internal/tasks/deliveries", json={"delivery_id": "dlv_x"})
        assert refused.status_code == 401
        unknown = await client.post("/internal/tasks/deliveries", json={"delivery_id": "dlv_x"}, headers=secret)
        assert unknown.status_code == 200  # nothing to attempt: a repeated or stale task does nothing
        bad = await client.post("/internal/tasks/deliveries", json={"delivery_id": "dlv_x", "x": 1}, headers=secret)
        assert bad.status_code == 422
