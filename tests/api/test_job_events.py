"""``GET /v1/jobs/{id}/events``: every change of a job as an event whose id is its version, in order; a resume
from ``Last-Event-ID``; heartbeats while nothing changes; the end on a terminal state; owned like the job."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.api.streams import Streams
from app.errors import ServiceUnavailable
from app.main import create_app
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator

SOURCE = "Enzymes speed up reactions in the cell. They lower the activation energy of a reaction."


def parse(stream: str) -> list[dict[str, Any]]:
    """The events of a text/event-stream body: ``{"event", "id", "data"}``, and comments as ``{"comment"}``."""
    events = []
    for block in stream.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.splitlines():
            if line.startswith(":"):
                events.append({"comment": line[1:].strip()})
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "data" in fields:
            fields["data"] = json.loads(fields["data"])
            events.append(fields)
    return events


@pytest.fixture
async def api(make_settings: MakeSettings, fake: FakeGenerator) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(events_poll_seconds=0.05, events_heartbeat_seconds=1)
    async for client in open_client(create_app(settings, generator=fake)):
        yield client


async def test_the_stream_tells_every_version_in_order_and_ends_on_the_terminal_one(
    api: httpx.AsyncClient, fake: FakeGenerator
) -> None:
    fake.gate = asyncio.Event()
    created = (await api.post("/v1/jobs", json={"source_text": SOURCE})).json()
    reading = asyncio.create_task(api.get(f"/v1/jobs/{created['id']}/events"))
    await asyncio.sleep(1.3)  # quiet for longer than a heartbeat
    fake.gate.set()
    response = await reading
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = parse(response.text)
    job = (await api.get(f"/v1/jobs/{created['id']}")).json()
    changes = [e for e in events if e.get("event") == "change"]
    assert [int(e["id"]) for e in changes] == list(range(1, job["version"] + 1))
    assert [e["data"]["version"] for e in changes] == list(range(1, job["version"] + 1))
    assert changes[-1]["data"]["status"] == "succeeded" and changes[-1]["data"]["progress"]["percent"] == 100
    assert all(set(e["data"]["artifacts"]) == set(job["artifacts"]) for e in changes)
    assert events[-1]["event"] == "end"
    assert any("comment" in e for e in events), "no heartbeat while the job waited"


async def test_a_stream_resumes_after_its_last_event_id(api: httpx.AsyncClient) -> None:
    created = (await api.post("/v1/jobs", json={"source_text": SOURCE})).json()
    job = await wait_for_job(api, created["id"])
    resumed = await api.get(f"/v1/jobs/{created['id']}/events", headers={"Last-Event-ID": "3"})
    changes = [e for e in parse(resumed.text) if e.get("event") == "change"]
    assert [int(e["id"]) for e in changes] == list(range(4, job["version"] + 1))
    done = await api.get(f"/v1/jobs/{created['id']}/events", headers={"Last-Event-ID": str(job["version"])})
    assert [e.get("event") for e in parse(done.text) if "event" in e] == ["end"]


async def test_another_owner_gets_404_and_a_full_instance_503(api: httpx.AsyncClient) -> None:
    created = (await api.post("/v1/jobs", json={"source_text": SOURCE})).json()
    other = await api.post("/v1/admin/keys", json={"owner": "someone-else", "name": "other"})
    refused = await api.get(f"/v1/jobs/{created['id']}/events", headers={"X-API-Key": other.json()["key"]})
    assert refused.status_code == 404
    streams = Streams(limit=1)
    streams.take()
    with pytest.raises(ServiceUnavailable) as full:
        streams.take()
    assert full.value.details == {"limit_streams": 1} and full.value.headers["Retry-After"] == "5"
    streams.give_back()
    streams.take()


async def test_jobs_have_titles_and_a_compact_list(api: httpx.AsyncClient) -> None:
    topic = (await api.post("/v1/jobs", json={"topic": "Enzymes at work", "source_text": SOURCE})).json()
    assert topic["title"] == "Enzymes at work"
    pasted = (await api.post("/v1/jobs", json={"source_text": SOURCE})).json()
    assert pasted["title"].startswith("Enzymes speed up reactions")
    finished = await wait_for_job(api, pasted["id"])
    outline = (await api.get(f"/v1/jobs/{pasted['id']}/artifacts/outline")).json()
    assert finished["title"] == outline["content"]["title"]  # the outline's, once it exists
    source = (await api.post("/v1/sources", json={"text": SOURCE, "title": "Lecture 3"})).json()
    named = (await api.post("/v1/jobs", json={"source_ids": [source["id"]]})).json()
    assert (await wait_for_job(api, named["id"]))["title"] == "Lecture 3"  # a source's title stays
    compact = (await api.get("/v1/jobs", params={"view": "compact", "limit": 2})).json()
    assert set(compact["items"][0]) == {"id", "title", "status", "progress", "created_at", "updated_at"}
    assert compact["items"][0]["title"] == "Lecture 3" and compact["next_cursor"]
