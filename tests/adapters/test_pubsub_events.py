"""The Pub/Sub event publisher on the real emulator: a subscriber with message ordering receives each job's events
in order, with their CloudEvents attributes and body; a refused publish raises and the job's next attempt goes
through."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import google.cloud.pubsub_v1 as pubsub_v1
import pytest
from google.api_core import exceptions as gexc

from app.adapters.pubsub_events import PubSubPublisher
from app.content.catalogue import ArtifactType
from app.jobs.events import Event, events_of
from app.jobs.models import Job, StepStatus
from app.jobs.publishing import EventsRefused, PublishError
from tests.fixtures.jobs import T0, make_job
from tests.fixtures.pubsub import Received, Topic, open_topic
from tests.fixtures.services import PubSubEmulator

pytestmark = pytest.mark.services

_PULL_DEADLINE = 30.0  # seconds a test waits for the messages it expects
_OVER_THE_LIMIT = 10 * 1000 * 1000 + 1  # a publish request carries at most 10 MB


@pytest.fixture
def admin(pubsub_emulator: PubSubEmulator) -> Iterator[tuple[pubsub_v1.PublisherClient, pubsub_v1.SubscriberClient]]:
    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    yield publisher, subscriber
    subscriber.close()
    publisher.transport.close()


@pytest.fixture
def new_topic(
    pubsub_emulator: PubSubEmulator, admin: tuple[pubsub_v1.PublisherClient, pubsub_v1.SubscriberClient]
) -> Topic:
    return open_topic(pubsub_emulator, *admin)


@pytest.fixture
def topic(new_topic: Topic) -> Topic:
    return new_topic.create()


@pytest.fixture
async def publisher(topic: Topic) -> AsyncIterator[PubSubPublisher]:
    opened = PubSubPublisher.open(topic.path)
    yield opened
    await opened.close()


def _change(job: Job, artifact: ArtifactType, status: StepStatus, minute: int) -> None:
    job.steps[artifact].status = status
    job.refresh(T0 + timedelta(minutes=minute))


def _finished(job_id: str) -> Job:
    """A job that ran through its steps: the outline, then the FAQ, then the flashcards failed (partial)."""
    job = make_job(job_id)
    _change(job, ArtifactType.OUTLINE, StepStatus.RUNNING, 1)
    _change(job, ArtifactType.OUTLINE, StepStatus.SUCCEEDED, 2)
    _change(job, ArtifactType.FAQ, StepStatus.SUCCEEDED, 3)
    _change(job, ArtifactType.FLASHCARDS, StepStatus.FAILED, 4)
    return job


def _assert_told(received: list[Received], events: list[Event]) -> None:
    assert [r.attributes["ce-id"] for r in received] == [e.id for e in events]
    for message, event in zip(received, events, strict=True):
        assert message.ordering_key == event.job_id
        assert message.attributes == event.attributes()
        assert message.data == event.body()
        assert json.loads(message.data)["job"]["id"] == event.job_id


def _by_job(received: list[Received]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for message in received:
        grouped.setdefault(message.ordering_key, []).append(message.attributes["ce-id"])
    return grouped


async def test_a_jobs_events_arrive_in_order_with_their_attributes_and_body(
    topic: Topic, publisher: PubSubPublisher
) -> None:
    job = make_job("job-1")
    changes = [
        (ArtifactType.OUTLINE, StepStatus.RUNNING),
        (ArtifactType.OUTLINE, StepStatus.SUCCEEDED),
        (ArtifactType.FAQ, StepStatus.RUNNING),
        (ArtifactType.FLASHCARDS, StepStatus.RUNNING),
        (ArtifactType.FAQ, StepStatus.SUCCEEDED),
        (ArtifactType.FLASHCARDS, StepStatus.FAILED),
    ]
    told: list[Event] = []
    sent = job.version
    for minute, (artifact, status) in enumerate(changes, start=1):  # as an outbox would: after each change
        _change(job, artifact, status, minute)
        events = events_of(job, after=sent)
        await publisher.publish(events)
        told.extend(events)
        sent = job.version

    assert [e.type.value for e in told] == [
        "artifact.succeeded",
        "artifact.succeeded",
        "artifact.failed",
        "job.partial",
    ]
    _assert_told(topic.receive(len(told)), told)


async def test_two_jobs_interleaved_keep_each_jobs_order(topic: Topic, publisher: PubSubPublisher) -> None:
    first, second = events_of(_finished("job-a"), after=0), events_of(_finished("job-b"), after=0)
    interleaved = [event for pair in zip(first, second, strict=True) for event in pair]
    await publisher.publish(interleaved)

    received = topic.receive(len(interleaved))
    assert _by_job(received) == {"job-a": [e.id for e in first], "job-b": [e.id for e in second]}
    by_id = {e.id: e for e in interleaved}
    _assert_told(received, [by_id[r.attributes["ce-id"]] for r in received])


async def test_a_refused_publish_raises_and_the_next_attempt_goes_through(new_topic: Topic) -> None:
    events = events_of(_finished("job-r"), after=0)
    publisher = PubSubPublisher.open(new_topic.path)  # the topic does not exist yet
    try:
        with pytest.raises(EventsRefused) as refused:
            await publisher.publish(events)
        assert isinstance(refused.value, PublishError)
        assert refused.value.refused == tuple(e.id for e in events)
        assert isinstance(refused.value.__cause__, gexc.NotFound)
        assert new_topic.path in str(refused.value) and events[0].id in str(refused.value)

        new_topic.create()
        await publisher.publish(events)  # the job's ordering key was resumed, so this is not refused at once
        _assert_told(new_topic.receive(len(events)), events)
    finally:
        await publisher.close()


async def test_an_event_too_large_is_refused_with_its_jobs_later_events(
    topic: Topic, publisher: PubSubPublisher
) -> None:
    first, second = events_of(_finished("job-big"), after=0), events_of(_finished("job-ok"), after=0)
    huge = first[1].model_copy(update={"job": {**first[1].job, "padding": "x" * _OVER_THE_LIMIT}})
    with pytest.raises(EventsRefused) as refused:
        await publisher.publish([first[0], huge, *first[2:], *second])
    assert refused.value.refused == tuple(e.id for e in first[1:])

    await publisher.publish(first[1:])  # the caller sends the refused ones again (here at their usual size)
    received = topic.receive(len(first) + len(second))
    assert _by_job(received) == {"job-big": [e.id for e in first], "job-ok": [e.id for e in second]}


async def test_publishing_nothing_sends_nothing(topic: Topic, publisher: PubSubPublisher) -> None:
    await publisher.publish([])
    marker = events_of(_finished("job-m"), after=0)[-1:]
    await publisher.publish(marker)
    _assert_told(topic.receive(1), marker)
    assert topic.pull(timeout=2.0) == []


async def test_ping_finds_the_topic_and_fails_on_a_missing_one(topic: Topic) -> None:
    present, missing = PubSubPublisher.open(topic.path), PubSubPublisher.open(f"{topic.path}-absent")
    try:
        await present.ping()
        with pytest.raises(gexc.NotFound):
            await missing.ping()
    finally:
        await present.close()
        await missing.close()


async def test_close_stops_the_publisher_cleanly(topic: Topic) -> None:
    publisher = PubSubPublisher.open(topic.path)
    events = events_of(_finished("job-c"), after=0)
    await publisher.publish(events)
    await publisher.close()
    await publisher.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        await publisher.publish(events)
    _assert_told(topic.receive(len(events)), events)


def test_a_topic_path_is_checked_when_the_publisher_opens() -> None:
    with pytest.raises(ValueError, match="projects/PROJECT/topics/TOPIC"):
        PubSubPublisher.open("events")
