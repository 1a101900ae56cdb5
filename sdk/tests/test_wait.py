"""Waiting for a job: the event stream, its resumption, and polling with If-None-Match where it is not offered."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from content_factory_client import (
    AuthenticationError,
    Client,
    JobChange,
    NotFoundError,
    RetriesExhausted,
    RetryPolicy,
    WaitTimeout,
)
from fakeapi import FakeAPI, FakeClock, change, end, error, job, reply, stream

from conftest import KEY, URL

JOB = "/v1/jobs/job_1"
EVENTS = "/v1/jobs/job_1/events"
RUNNING = {"outline": "succeeded", "flashcards": "running"}
DONE = {"outline": "succeeded", "flashcards": "succeeded"}


def etagged(body: dict[str, object], etag: str) -> httpx.Response:
    return reply(200, body, {"ETag": etag})


def test_a_wait_follows_the_stream_reporting_each_change(api: FakeAPI, client: Client) -> None:
    api.on(
        "GET", JOB, etagged(job(version=1, artifacts=RUNNING), '"1.1"'), reply(200, job("job_1", "succeeded", 3, DONE))
    )
    api.on("GET", EVENTS, stream(change(2, "running", RUNNING), change(3, "succeeded", DONE), end(3)))
    seen: list[JobChange] = []

    done = client.jobs.wait("job_1", on_progress=seen.append)

    assert done.status == "succeeded"
    assert [(c.version, c.status, c.progress.done) for c in seen] == [
        (1, "running", 1),
        (2, "running", 1),
        (3, "succeeded", 2),
    ]
    assert api.sent("GET", EVENTS)[0].headers["Last-Event-ID"] == "1"  # only what came after the job as read
    assert api.sent("GET", EVENTS)[0].headers["Accept"] == "text/event-stream"


def test_a_stream_that_ends_early_is_resumed_after_its_last_event(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 3, DONE)))
    api.on("GET", EVENTS, stream(change(2, "running", RUNNING)), stream(change(3, "succeeded", DONE), end(3)))
    seen: list[int] = []

    client.jobs.wait("job_1", on_progress=lambda c: seen.append(c.version))

    assert [r.headers["Last-Event-ID"] for r in api.sent("GET", EVENTS)] == ["1", "2"]
    assert seen == [1, 2, 3]


def test_a_snapshot_counts_as_a_version_seen(api: FakeAPI, client: Client) -> None:
    snapshot = f"event: snapshot\r\nid: 7\r\ndata: {json.dumps(job(version=7))}\r\n\r\n"
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 8, DONE)))
    api.on("GET", EVENTS, stream(snapshot, change(8, "succeeded", DONE), end(8)))
    seen: list[int] = []

    client.jobs.wait("job_1", on_progress=lambda c: seen.append(c.version))

    assert seen == [1, 7, 8]


def test_a_job_deleted_while_streaming_is_not_found(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job(version=1)))
    api.on("GET", EVENTS, stream('event: deleted\r\ndata: {"id": "job_1"}\r\n\r\n'))

    with pytest.raises(NotFoundError):
        client.jobs.wait("job_1")


def test_without_a_stream_the_wait_polls_with_if_none_match(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on(
        "GET",
        JOB,
        etagged(job(version=1), '"1.1"'),
        reply(304, None, {"ETag": '"1.1"'}),
        etagged(job(version=2), '"1.2"'),
        etagged(job("job_1", "succeeded", 3, DONE), '"1.3"'),
    )
    api.on("GET", EVENTS, reply(404, error("not_found")))  # a server or proxy without the stream
    seen: list[int] = []

    done = client.jobs.wait("job_1", poll_interval=2.0, on_progress=lambda c: seen.append(c.version))

    assert done.version == 3
    assert [r.headers.get("If-None-Match") for r in api.sent("GET", JOB)] == [None, '"1.1"', '"1.1"', '"1.2"']
    assert seen == [1, 2, 3]
    assert clock.sleeps == [2.0, 2.0, 2.0]


def test_a_full_stream_limit_falls_back_to_polling_at_once(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 2, DONE)))
    api.on("GET", EVENTS, reply(503, error("too_many_streams"), {"Retry-After": "5"}))

    assert client.jobs.wait("job_1").status == "succeeded"
    assert len(api.sent("GET", EVENTS)) == 1


def test_a_broken_stream_falls_back_to_polling(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 3, DONE)))
    api.on("GET", EVENTS, stream(change(2, "running", RUNNING), then=httpx.ReadError("connection reset")))
    seen: list[int] = []

    assert client.jobs.wait("job_1", on_progress=lambda c: seen.append(c.version)).status == "succeeded"
    assert seen == [1, 2, 3]
    assert len(api.sent("GET", EVENTS)) == 1


def test_a_refusal_of_the_stream_for_the_key_is_raised(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job(version=1)))
    api.on("GET", EVENTS, reply(401, error("unauthenticated")))

    with pytest.raises(AuthenticationError):
        client.jobs.wait("job_1")


def test_a_finished_job_is_returned_without_a_stream(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job("job_1", "cancelled", 4, {"outline": "cancelled"})))

    assert client.jobs.wait("job_1").status == "cancelled"
    assert api.sent("GET", EVENTS) == []


def test_a_missing_job_is_not_found(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(404, error("job_not_found")))

    with pytest.raises(NotFoundError):
        client.jobs.wait("job_1")
    assert api.sent("GET", EVENTS) == []


def test_a_job_that_disappears_while_polled_is_not_found(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(404, error("job_not_found")))
    api.on("GET", EVENTS, reply(404, error("not_found")))

    with pytest.raises(NotFoundError):
        client.jobs.wait("job_1")


def test_a_wait_past_its_timeout_carries_the_last_job_seen(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job(version=2)))
    api.on("GET", EVENTS, reply(404, error("not_found")))

    with pytest.raises(WaitTimeout) as raised:
        client.jobs.wait("job_1", timeout=5.0, poll_interval=2.0)

    assert raised.value.job is not None
    assert raised.value.job.version == 2
    assert sum(clock.sleeps) == pytest.approx(5.0)  # 2 + 2 + the 1 left


class TickingClock(FakeClock):
    """A second passes every time the clock is read."""

    def monotonic(self) -> float:
        self.now += 1
        return self.now


def test_a_quiet_stream_is_left_at_the_deadline(api: FakeAPI) -> None:
    def heartbeats(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            while True:
                yield b": ping\r\n\r\n"

        return httpx.Response(200, headers={"Content-Type": "text/event-stream"}, content=chunks())

    api.on("GET", JOB, reply(200, job(version=1)))
    api.on("GET", EVENTS, heartbeats)

    with (
        Client(URL, KEY, transport=api.transport(), clock=TickingClock(), retry=RetryPolicy()) as client,
        pytest.raises(WaitTimeout),
    ):
        client.jobs.wait("job_1", timeout=30.0)


# --- the deadline holds for every request of the wait -----------------------------------------------------------


def test_a_429_on_the_stream_longer_than_the_wait_ends_it_at_once(
    api: FakeAPI, client: Client, clock: FakeClock
) -> None:
    api.on("GET", JOB, reply(200, job(version=1)))
    api.on("GET", EVENTS, reply(429, error("rate_limited"), {"Retry-After": "30"}))

    with pytest.raises(WaitTimeout) as raised:
        client.jobs.wait("job_1", timeout=5.0)

    assert clock.sleeps == []  # not 4 x 30 s under the client's retry budget
    assert raised.value.job is not None
    assert raised.value.job.version == 1


def test_a_poll_retried_past_the_deadline_is_a_wait_timeout(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(503, error("service_unavailable"), {"Retry-After": "25"}))
    api.on("GET", EVENTS, reply(404, error("not_found")))

    with pytest.raises(WaitTimeout) as raised:
        client.jobs.wait("job_1", timeout=5.0)

    assert sum(clock.sleeps) <= 5.0
    assert raised.value.job is not None
    assert raised.value.job.version == 1
    assert raised.value.timeout == 5.0


def test_a_job_not_read_once_before_the_deadline_is_a_wait_timeout_without_a_job(
    api: FakeAPI, client: Client, clock: FakeClock
) -> None:
    api.on("GET", JOB, reply(503, error("service_unavailable"), {"Retry-After": "25"}))

    with pytest.raises(WaitTimeout) as raised:
        client.jobs.wait("job_1", timeout=5.0)

    assert (raised.value.job_id, raised.value.job) == ("job_1", None)
    assert clock.sleeps == []


def test_a_retry_that_fits_in_the_wait_is_slept(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on(
        "GET",
        JOB,
        reply(200, job(version=1)),
        reply(503, error("service_unavailable"), {"Retry-After": "3"}),
        reply(200, job("job_1", "succeeded", 2, DONE)),
    )
    api.on("GET", EVENTS, reply(404, error("not_found")))

    assert client.jobs.wait("job_1", timeout=10.0).status == "succeeded"
    assert clock.sleeps == [1.0, 3.0]


def test_a_service_that_keeps_failing_still_spends_the_retries_in_a_long_wait(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(503, error("service_unavailable")))
    api.on("GET", EVENTS, reply(404, error("not_found")))

    with pytest.raises(RetriesExhausted):  # the service failed: not a timeout of the wait
        client.jobs.wait("job_1", timeout=600.0)


def test_the_stream_is_opened_with_a_read_timeout_no_longer_than_the_wait(api: FakeAPI, clock: FakeClock) -> None:
    running, done = reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 2, DONE))
    api.on("GET", JOB, running, done, running, done)  # two waits
    api.on("GET", EVENTS, stream(end(2)))

    with Client(URL, KEY, transport=api.transport(), clock=clock, timeout=30.0) as client:
        client.jobs.wait("job_1", timeout=5.0)
        client.jobs.wait("job_1", timeout=600.0)

    short, long = (r.extensions["timeout"]["read"] for r in api.sent("GET", EVENTS))
    assert (short, long) == (5.0, 30.0)


def test_a_silent_stream_ends_the_wait_at_its_deadline(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(200, job(version=1)))
    # Not even a heartbeat until the stream's read timeout, the 5 s left of the wait, runs out.
    api.on("GET", EVENTS, stream(silent=(clock, 5.0), then=httpx.ReadTimeout("timed out")))

    with pytest.raises(WaitTimeout) as raised:
        client.jobs.wait("job_1", timeout=5.0)

    assert raised.value.job is not None
    assert len(api.sent("GET", JOB)) == 1
    assert api.sent("GET", EVENTS)[0].extensions["timeout"]["read"] == 5.0


def test_a_stream_silent_before_the_deadline_is_resumed(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 3, DONE)))
    api.on(
        "GET",
        EVENTS,
        stream(change(2, "running", RUNNING), silent=(clock, 30.0), then=httpx.ReadTimeout("timed out")),
        stream(change(3, "succeeded", DONE), end(3)),
    )

    assert client.jobs.wait("job_1", timeout=600.0).status == "succeeded"
    assert [r.headers["Last-Event-ID"] for r in api.sent("GET", EVENTS)] == ["1", "2"]
    assert len(api.sent("GET", JOB)) == 2  # the first read and the last: no polling


# --- poll_interval ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("interval", [0.0, -1.0, float("nan")])
def test_a_poll_interval_that_is_not_positive_is_refused(api: FakeAPI, client: Client, interval: float) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 2, DONE)))
    api.on("GET", EVENTS, reply(404, error("not_found")))

    with pytest.raises(ValueError, match="poll_interval"):
        client.jobs.wait("job_1", poll_interval=interval)
    with pytest.raises(ValueError, match="poll_interval"):
        client.generate("Some text", poll_interval=interval)

    assert api.requests == []


def test_streams_are_opened_at_least_a_poll_interval_apart(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 4, DONE)))
    api.on(
        "GET",
        EVENTS,
        stream(change(2, "running", RUNNING)),  # each ends at once, after an event
        stream(change(3, "running", RUNNING)),
        stream(change(4, "succeeded", DONE), end(4)),
    )

    client.jobs.wait("job_1", poll_interval=2.0)

    assert clock.sleeps == [2.0, 2.0]


def test_a_stream_that_lasted_a_while_is_resumed_at_once(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 3, DONE)))
    api.on(
        "GET",
        EVENTS,
        stream(change(2, "running", RUNNING), silent=(clock, 60.0)),  # the server ends it after a minute
        stream(change(3, "succeeded", DONE), end(3)),
    )

    client.jobs.wait("job_1", poll_interval=2.0)

    assert clock.sleeps == []


def test_a_stream_whose_encoding_is_broken_falls_back_to_polling(api: FakeAPI, client: Client) -> None:
    def garbled(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "text/event-stream", "Content-Encoding": "gzip"}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"not gzip"))

    api.on("GET", JOB, reply(200, job(version=1)), reply(200, job("job_1", "succeeded", 2, DONE)))
    api.on("GET", EVENTS, garbled)

    assert client.jobs.wait("job_1").status == "succeeded"
