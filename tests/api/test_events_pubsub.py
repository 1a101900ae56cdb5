"""With ``CF_PUBSUB_TOPIC`` set, a job's events reach a subscriber on the Pub/Sub emulator, every one in order, each
after the write it describes; a sweep tells nothing twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import google.cloud.pubsub_v1 as pubsub_v1
import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.api.deps import Services
from app.config import Settings
from app.content.catalogue import ArtifactType
from app.jobs.models import Job, StepStatus
from app.main import create_app
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import ADMIN_KEY, MakeSettings, text
from tests.fixtures.pubsub import Topic, open_topic
from tests.fixtures.services import PubSubEmulator

pytestmark = pytest.mark.services


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The API over ASGI, and the services its lifespan built."""
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        headers = {"X-API-Key": ADMIN_KEY}
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as client:
            yield client, manager._state["services"]


@pytest.fixture
def topic(pubsub_emulator: PubSubEmulator) -> Iterator[Topic]:
    admin, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    yield open_topic(pubsub_emulator, admin, subscriber).create()
    subscriber.close()
    admin.transport.close()


async def test_a_subscriber_receives_every_event_of_a_job_in_order(make_settings: MakeSettings, topic: Topic) -> None:
    async with running(make_settings(pubsub_topic=topic.path)) as (api, services):
        created = await api.post(
            "/v1/jobs", json={"source_text": text("photosynthesis.txt"), "artifacts": ["outline", "flashcards", "faq"]}
        )
        job = await wait_for_job(api, created.json()["id"])
        assert job["status"] == "succeeded"
        received = await asyncio.to_thread(topic.receive, 4)  # the loop keeps running: the last telling ends
        await services.sweeper.sweep()  # nothing is left untold, so nothing comes again
        assert await asyncio.to_thread(topic.pull, 2.0) == []
        stored = await services.store.get_job(job["id"])
        assert stored is not None and not stored.untold and stored.told == stored.version
    bodies = [json.loads(message.data) for message in received]
    kinds = [(b["type"], b["artifact"]) for b in bodies]
    assert kinds[0] == ("artifact.succeeded", "outline") and kinds[-1] == ("job.succeeded", None)
    assert sorted(kinds[1:3]) == [("artifact.succeeded", "faq"), ("artifact.succeeded", "flashcards")]
    versions = [b["version"] for b in bodies]
    assert versions == sorted(versions)  # the job's order
    assert {m.ordering_key for m in received} == {job["id"]}
    assert all(
        m.attributes["ce-id"] == b["id"] and m.attributes["ce-type"] == b["type"]
        for m, b in zip(received, bodies, strict=True)
    )
    assert bodies[-1]["job"]["status"] == "succeeded" and "owner" not in bodies[-1]


async def test_nothing_is_published_for_a_write_that_failed(make_settings: MakeSettings, topic: Topic) -> None:
    async with running(make_settings(pubsub_topic=topic.path)) as (api, services):
        created = await api.post("/v1/jobs", json={"source_text": text("photosynthesis.txt"), "artifacts": ["outline"]})
        job = await wait_for_job(api, created.json()["id"])
        await asyncio.to_thread(topic.receive, 2)
        store = services.jobs.store

        def fails(stored: Job) -> None:  # a change with events to tell (the outline failing), then a failed write
            stored.steps[ArtifactType.OUTLINE].status = StepStatus.FAILED
            stored.refresh(datetime.now(UTC))
            raise RuntimeError("the write fails")

        with pytest.raises(RuntimeError):
            await store.update_job(job["id"], fails)
        # A retry would make new events; a refused one (the job succeeded) writes nothing and tells nothing.
        refused = await api.post(f"/v1/jobs/{job['id']}/retry")
        assert refused.status_code == 409
        assert await asyncio.to_thread(topic.pull, 2.0) == []
