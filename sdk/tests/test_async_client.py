"""The async client sends the same operations with the same retries and waits; only the I/O is async."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from content_factory_client import (
    APITimeoutError,
    AsyncClient,
    AsyncJobs,
    AsyncSources,
    Client,
    Jobs,
    NotFoundError,
    RetriesExhausted,
    Sources,
    WaitTimeout,
)
from content_factory_client.models import FlashcardsArtifact
from fakeapi import FakeAPI, FakeClock, change, end, error, job, recorded_artifact, reply, stream

JOB = "/v1/jobs/job_1"
EVENTS = "/v1/jobs/job_1/events"
DONE = {"outline": "succeeded", "flashcards": "succeeded"}
RUNNING = {"outline": "succeeded", "flashcards": "running"}


async def test_a_429_is_retried_after_retry_after(api: FakeAPI, aclient: AsyncClient, clock: FakeClock) -> None:
    api.on(
        "POST",
        f"{JOB}/cancel",
        reply(429, error("rate_limited"), {"Retry-After": "2"}),
        reply(200, job(status="cancelled")),
    )

    assert (await aclient.jobs.cancel("job_1")).status == "cancelled"
    assert clock.sleeps[0] >= 2


async def test_create_keeps_its_idempotency_key_across_retries(api: FakeAPI, aclient: AsyncClient) -> None:
    api.on("POST", "/v1/jobs", httpx.ReadTimeout("lost"), reply(504, "gateway timeout"), reply(200, job()))

    await aclient.jobs.create(topic="Photosynthesis")

    assert len({r.headers["Idempotency-Key"] for r in api.sent("POST", "/v1/jobs")}) == 1
    assert len(api.sent("POST", "/v1/jobs")) == 3


async def test_a_post_without_a_key_is_not_sent_again_after_a_read_timeout(api: FakeAPI, aclient: AsyncClient) -> None:
    api.on("POST", f"{JOB}/cancel", httpx.ReadTimeout("lost"))

    with pytest.raises(APITimeoutError):
        await aclient.jobs.cancel("job_1")
    assert len(api.sent("POST", f"{JOB}/cancel")) == 1


async def test_retries_exhausted_carry_the_last_request_id(api: FakeAPI, aclient: AsyncClient) -> None:
    api.on("GET", JOB, *[reply(503, error("service_unavailable", request_id=f"rid-{n}")) for n in range(1, 6)])

    with pytest.raises(RetriesExhausted) as raised:
        await aclient.jobs.get("job_1")
    assert (raised.value.attempts, raised.value.request_id) == (5, "rid-5")


async def test_iterating_jobs_follows_the_cursors(api: FakeAPI, aclient: AsyncClient) -> None:
    pages = {None: {"items": [job("job_1")], "next_cursor": "c2"}, "c2": {"items": [job("job_2")], "next_cursor": None}}
    api.on("GET", "/v1/jobs", lambda request: reply(200, pages[request.url.params.get("cursor")]))

    assert [found.id async for found in aclient.jobs.iter(page_size=1)] == ["job_1", "job_2"]


async def test_a_wait_follows_and_resumes_the_stream(api: FakeAPI, aclient: AsyncClient) -> None:
    running = {"outline": "succeeded", "flashcards": "running"}
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 3, DONE)))
    api.on("GET", EVENTS, stream(change(2, "running", running)), stream(change(3, "succeeded", DONE), end(3)))
    seen: list[int] = []

    done = await aclient.jobs.wait("job_1", on_progress=lambda c: seen.append(c.version))

    assert done.status == "succeeded"
    assert seen == [1, 2, 3]
    assert [r.headers["Last-Event-ID"] for r in api.sent("GET", EVENTS)] == ["1", "2"]


async def test_a_broken_stream_falls_back_to_polling_with_if_none_match(
    api: FakeAPI, aclient: AsyncClient, clock: FakeClock
) -> None:
    api.on(
        "GET",
        JOB,
        reply(200, job(version=1), {"ETag": '"1.1"'}),
        reply(304, None, {"ETag": '"1.1"'}),
        reply(200, job("job_1", "succeeded", 2, DONE), {"ETag": '"1.2"'}),
    )
    api.on("GET", EVENTS, stream(then=httpx.RemoteProtocolError("peer closed")))

    assert (await aclient.jobs.wait("job_1", poll_interval=0.5)).version == 2
    assert [r.headers.get("If-None-Match") for r in api.sent("GET", JOB)] == [None, '"1.1"', '"1.1"']
    assert clock.sleeps == [0.5, 0.5]


async def test_a_wait_times_out_with_the_last_job(api: FakeAPI, aclient: AsyncClient) -> None:
    api.on("GET", JOB, reply(200, job(version=4)))
    api.on("GET", EVENTS, reply(404, error("not_found")))

    with pytest.raises(WaitTimeout) as raised:
        await aclient.jobs.wait("job_1", timeout=3.0)
    assert raised.value.job is not None
    assert raised.value.job.version == 4


async def test_a_job_deleted_while_polled_is_not_found(api: FakeAPI, aclient: AsyncClient) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(404, error("job_not_found")))
    api.on("GET", EVENTS, reply(503, error("too_many_streams")))

    with pytest.raises(NotFoundError):
        await aclient.jobs.wait("job_1")


async def test_generate_from_a_text(api: FakeAPI, aclient: AsyncClient, tmp_path: Path) -> None:
    api.on("POST", "/v1/jobs", reply(202, job(status="queued")))
    api.on("GET", JOB, reply(200, job("job_1", "succeeded", 2, DONE)))
    for name in DONE:
        api.on("GET", f"{JOB}/artifacts/{name}", reply(200, recorded_artifact(name)))

    result = await aclient.generate("Light into sugar.", artifacts=["flashcards"])

    assert json.loads(api.sent("POST", "/v1/jobs")[0].content) == {
        "source_text": "Light into sugar.",
        "artifacts": ["flashcards"],
    }
    assert result.succeeded
    assert isinstance(result.artifacts["flashcards"], FlashcardsArtifact)
    assert result.failed == {}


async def test_an_upload_reads_the_file(api: FakeAPI, aclient: AsyncClient, tmp_path: Path) -> None:
    paper = tmp_path / "paper.txt"
    paper.write_bytes(b"Chlorophyll absorbs light.")
    source = {
        "id": "src_1", "title": "paper", "kind": "text", "characters": 26, "sha256": "ab", "media_type": "text/plain",
        "size": 26, "created_at": "2026-12-03T10:00:00Z",
    }  # fmt: skip
    api.on("POST", "/v1/sources", reply(201, source))

    assert (await aclient.sources.upload(paper)).id == "src_1"
    assert b'filename="paper.txt"' in api.requests[0].content
    assert b"Chlorophyll absorbs light." in api.requests[0].content


class TickingClock(FakeClock):
    def monotonic(self) -> float:
        self.now += 1
        return self.now


async def test_a_quiet_stream_is_left_at_the_deadline(api: FakeAPI) -> None:
    def heartbeats(request: httpx.Request) -> httpx.Response:
        async def chunks() -> AsyncIterator[bytes]:
            while True:
                yield b": ping\r\n\r\n"

        return httpx.Response(200, headers={"Content-Type": "text/event-stream"}, content=chunks())

    api.on("GET", JOB, reply(200, job(version=1)))
    api.on("GET", EVENTS, heartbeats)

    async with AsyncClient("http://cf.test", "k", transport=api.async_transport(), clock=TickingClock()) as client:
        with pytest.raises(WaitTimeout):
            await client.jobs.wait("job_1", timeout=30.0)


async def test_a_poll_retried_past_the_deadline_is_a_wait_timeout(
    api: FakeAPI, aclient: AsyncClient, clock: FakeClock
) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(503, error("service_unavailable"), {"Retry-After": "25"}))
    api.on("GET", EVENTS, reply(429, error("rate_limited"), {"Retry-After": "1"}), reply(404, error("not_found")))

    with pytest.raises(WaitTimeout) as raised:
        await aclient.jobs.wait("job_1", timeout=5.0)

    assert sum(clock.sleeps) <= 5.0
    assert raised.value.job is not None


async def test_a_silent_stream_ends_the_wait_at_its_deadline(
    api: FakeAPI, aclient: AsyncClient, clock: FakeClock
) -> None:
    api.on("GET", JOB, reply(200, job(version=1)))
    api.on("GET", EVENTS, stream(silent=(clock, 5.0), then=httpx.ReadTimeout("timed out")))

    with pytest.raises(WaitTimeout):
        await aclient.jobs.wait("job_1", timeout=5.0)

    assert api.sent("GET", EVENTS)[0].extensions["timeout"]["read"] == 5.0
    assert len(api.sent("GET", JOB)) == 1


async def test_a_stream_silent_before_the_deadline_is_resumed(
    api: FakeAPI, aclient: AsyncClient, clock: FakeClock
) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 3, DONE)))
    api.on(
        "GET",
        EVENTS,
        stream(change(2, "running", RUNNING), silent=(clock, 30.0), then=httpx.ReadTimeout("timed out")),
        stream(change(3, "succeeded", DONE), end(3)),
    )

    assert (await aclient.jobs.wait("job_1")).status == "succeeded"
    assert [r.headers["Last-Event-ID"] for r in api.sent("GET", EVENTS)] == ["1", "2"]


async def test_streams_are_opened_at_least_a_poll_interval_apart(
    api: FakeAPI, aclient: AsyncClient, clock: FakeClock
) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 3, DONE)))
    api.on("GET", EVENTS, stream(change(2, "running", RUNNING)), stream(change(3, "succeeded", DONE), end(3)))

    await aclient.jobs.wait("job_1", poll_interval=2.0)

    assert clock.sleeps == [2.0]


async def test_a_poll_interval_that_is_not_positive_is_refused(api: FakeAPI, aclient: AsyncClient) -> None:
    api.on("GET", JOB, reply(200, job("job_1", "succeeded", 2, DONE)))

    with pytest.raises(ValueError, match="poll_interval"):
        await aclient.jobs.wait("job_1", poll_interval=0)
    with pytest.raises(ValueError, match="poll_interval"):
        await aclient.generate("Some text", poll_interval=0)
    assert api.requests == []


# --- the two clients cannot drift apart -------------------------------------------------------------------------

TWINS = [(Client, AsyncClient), (Jobs, AsyncJobs), (Sources, AsyncSources)]
_ASYNC_NAMES = {"__enter__": "__aenter__", "__exit__": "__aexit__", "close": "close"}


def _blocking(annotation: str) -> str:
    """An annotation of the async client as the blocking one spells it."""
    spelled = [("AsyncIterator", "Iterator"), ("AsyncBaseTransport", "BaseTransport"), ("AsyncSender", "SyncSender")]
    for async_name, name in spelled + [(twin.__name__, cls.__name__) for cls, twin in TWINS]:
        annotation = annotation.replace(async_name, name)
    return annotation


def _described(function: Callable[..., Any], *, blocking: bool) -> list[tuple[str, str, object, str]]:
    """Each parameter's name, kind, default and annotation, then the return annotation."""
    signature = inspect.signature(function)
    spell = (lambda a: a) if blocking else _blocking
    described = [(p.name, p.kind.name, p.default, spell(str(p.annotation))) for p in signature.parameters.values()]
    return [*described, ("return", "", None, spell(str(signature.return_annotation)))]


def _members(cls: type) -> dict[str, Any]:
    """The methods and properties a class defines (the private helper the command line shares included)."""
    return {
        name: member for name, member in vars(cls).items() if inspect.isfunction(member) or isinstance(member, property)
    }


@pytest.mark.parametrize(("blocking", "asynchronous"), TWINS, ids=[cls.__name__ for cls, _ in TWINS])
def test_the_async_client_has_the_same_methods_and_parameters(blocking: type, asynchronous: type) -> None:
    sync_members, async_members = _members(blocking), _members(asynchronous)
    assert {_ASYNC_NAMES.get(name, name) for name in sync_members} == set(async_members)

    for name, member in sync_members.items():
        twin = async_members[_ASYNC_NAMES.get(name, name)]
        if isinstance(member, property):
            assert isinstance(twin, property), name
            assert member.fget is not None and twin.fget is not None, name
            assert _described(member.fget, blocking=True) == _described(twin.fget, blocking=False), name
            continue
        assert _described(member, blocking=True) == _described(twin, blocking=False), name
        overloads = [_described(f, blocking=True) for f in typing.get_overloads(member)]
        assert overloads == [_described(f, blocking=False) for f in typing.get_overloads(twin)], name
        if name not in ("__init__",):
            awaited = inspect.iscoroutinefunction(twin) or inspect.isasyncgenfunction(twin)
            assert awaited, f"{asynchronous.__name__}.{name} is not async"


async def test_the_clients_hold_the_same_resources() -> None:
    with Client("http://cf.test") as blocking:
        held = {name: type(value) for name, value in vars(blocking).items() if not name.startswith("_")}
    async with AsyncClient("http://cf.test") as asynchronous:
        twins = {name: type(value) for name, value in vars(asynchronous).items() if not name.startswith("_")}
    assert held == {"jobs": Jobs, "sources": Sources}
    assert twins == {"jobs": AsyncJobs, "sources": AsyncSources}
