"""Waiting for a job: follow its event stream (``httpx-sse``), and poll with ``If-None-Match`` where the stream
is not offered or breaks.

A wait first reads the job (a job that does not exist is a ``NotFoundError`` at once, and a finished one is
returned), then streams from that version on (``Last-Event-ID``), resuming after the last event whenever the
server ends a stream early, at most once every ``poll_interval``. A refused stream (404, 405, 5xx, retries spent,
no connection) or a broken one (the connection drops, an event cannot be read) hands over to polling,
``poll_interval`` apart. Every version seen is reported to ``on_progress`` once, as a ``JobChange``.

The deadline holds for every request of the wait: its retries never sleep past it (``Waiter`` is their
``Deadline``), and the stream is opened with timeouts no longer than what is left, so a silent stream ends at the
deadline too. It is also checked between polls and on every chunk of the stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
from httpx_sse import EventSource, ServerSentEvent

from content_factory_client import _operations as ops
from content_factory_client._clock import Clock
from content_factory_client._errors import (
    APIConnectionError,
    APIError,
    ContentFactoryError,
    NotFoundError,
    RetriesExhausted,
    WaitTimeout,
)
from content_factory_client._send import AsyncSender, SyncSender
from content_factory_client.models import Job, JobChange

OnProgress = Callable[[JobChange], object]

_STREAM_REFUSED = frozenset({404, 405, 406, 500, 501, 502, 503, 504})  # poll instead


def check_poll_interval(poll_interval: float) -> None:
    """Refused before anything is sent: a wait that polls without pausing floods the server."""
    if not poll_interval > 0:
        raise ValueError(f"poll_interval must be more than 0 seconds, not {poll_interval!r}")


class Waiter:
    """The state and the decisions of one wait; the sync and async loops below only do its I/O. It is the
    ``Deadline`` of every request the wait sends."""

    def __init__(
        self, job_id: str, *, timeout: float, poll_interval: float, on_progress: OnProgress | None, clock: Clock
    ) -> None:
        check_poll_interval(poll_interval)
        self.job_id = job_id
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.clock = clock
        self._deadline = clock.monotonic() + timeout
        self._on_progress = on_progress
        self._job: Job | None = None
        self._reported = -1  # the last version reported
        self.etag: str | None = None
        self._streamed = 0  # the version the stream has told up to: where a new stream resumes

    @property
    def job(self) -> Job:
        assert self._job is not None, "the wait reads the job before anything else"
        return self._job

    @property
    def last_event_id(self) -> str | None:
        return str(self._streamed) if self._streamed > 0 else None

    def polled(self, poll: ops.JobPoll) -> None:
        self.etag = poll.etag
        if poll.job is not None:
            self._job = poll.job
            self._streamed = max(self._streamed, poll.job.version)
            self._report(JobChange.of(poll.job))

    def event(self, sse: ServerSentEvent) -> bool:
        """Whether the stream says the job has finished."""
        if sse.id.isdigit():  # event ids are job versions
            self._streamed = max(self._streamed, int(sse.id))
        if sse.event == "change":
            self._report(JobChange.model_validate_json(sse.data))
        elif sse.event == "snapshot":
            self.polled(ops.JobPoll(Job.model_validate_json(sse.data), self.etag))
        elif sse.event == "end":
            return True
        elif sse.event == "deleted":
            raise NotFoundError(404, "not_found", f"Job {self.job_id} was deleted while waiting for it.")
        return False

    def remaining(self) -> float:
        return max(0.0, self._deadline - self.clock.monotonic())

    def expired(self) -> ContentFactoryError:
        return WaitTimeout(self.job_id, self._job, self.timeout)

    def check_deadline(self) -> None:
        if self.clock.monotonic() >= self._deadline:
            raise self.expired()

    def next_poll_in(self) -> float:
        return min(self.poll_interval, self.remaining())

    def next_stream_in(self, opened: float) -> float:
        """The pause before opening the stream again: streams open at least ``poll_interval`` apart, so a server
        that ends each at once is not asked again and again."""
        since = self.clock.monotonic() - opened
        return min(max(0.0, self.poll_interval - since), self.remaining())

    def _report(self, change: JobChange) -> None:
        if change.version > self._reported:
            self._reported = change.version
            if self._on_progress is not None:
                self._on_progress(change)


def _refused(exc: APIError | APIConnectionError | RetriesExhausted) -> bool:
    if isinstance(exc, APIError):
        return exc.status in _STREAM_REFUSED
    return True  # no connection, or the retries spent: polling may still get through


def _is_event_stream(response: httpx.Response) -> bool:
    media_type: str = response.headers.get("Content-Type", "")
    return media_type.split(";", 1)[0].strip() == "text/event-stream"


_RELAY_HEADERS = {"Content-Type": "text/event-stream"}


# --- blocking ---------------------------------------------------------------------------------------------------


def wait(sender: SyncSender, waiter: Waiter) -> Job:
    waiter.polled(sender.send(ops.poll_job(waiter.job_id, None), deadline=waiter))
    if not waiter.job.finished and _stream(sender, waiter):
        waiter.polled(sender.send(ops.poll_job(waiter.job_id, None), deadline=waiter))
    while not waiter.job.finished:
        waiter.check_deadline()
        sender.clock.sleep(waiter.next_poll_in())
        waiter.polled(sender.send(ops.poll_job(waiter.job_id, waiter.etag), deadline=waiter))
    return waiter.job


def _stream(sender: SyncSender, waiter: Waiter) -> bool:
    """Follow the stream until its ``end`` (True) or until it is refused or breaks (False: poll)."""
    opened: float | None = None  # when the last stream was opened
    while True:
        if opened is not None and (pause := waiter.next_stream_in(opened)) > 0:
            sender.clock.sleep(pause)
        waiter.check_deadline()
        opened = sender.clock.monotonic()
        try:
            response = sender.open(ops.job_events(waiter.job_id, waiter.last_event_id), deadline=waiter)
        except (APIError, APIConnectionError, RetriesExhausted) as exc:
            if _refused(exc):
                return False
            raise
        try:
            if not _is_event_stream(response):
                return False
            relay = httpx.Response(200, headers=_RELAY_HEADERS, content=_chunks(response, waiter))
            for sse in EventSource(relay).iter_sse():
                if waiter.event(sse):
                    return True
        except (httpx.TransportError, httpx.DecodingError, ValueError):  # dropped; an event that cannot be read
            return False
        finally:
            response.close()


def _chunks(response: httpx.Response, waiter: Waiter) -> Iterator[bytes]:
    try:
        for chunk in response.iter_bytes():
            waiter.check_deadline()
            yield chunk
    except httpx.ReadTimeout:
        # Nothing came, not even a heartbeat, for as long as the read timeout: at the deadline (the stream's
        # timeout is no longer than what was left), the wait is over; before it, the stream ends as a quiet one
        # does, and is opened again after the last event.
        waiter.check_deadline()


# --- async ------------------------------------------------------------------------------------------------------


async def await_job(sender: AsyncSender, waiter: Waiter) -> Job:
    waiter.polled(await sender.send(ops.poll_job(waiter.job_id, None), deadline=waiter))
    if not waiter.job.finished and await _astream(sender, waiter):
        waiter.polled(await sender.send(ops.poll_job(waiter.job_id, None), deadline=waiter))
    while not waiter.job.finished:
        waiter.check_deadline()
        await sender.clock.asleep(waiter.next_poll_in())
        waiter.polled(await sender.send(ops.poll_job(waiter.job_id, waiter.etag), deadline=waiter))
    return waiter.job


async def _astream(sender: AsyncSender, waiter: Waiter) -> bool:
    opened: float | None = None
    while True:
        if opened is not None and (pause := waiter.next_stream_in(opened)) > 0:
            await sender.clock.asleep(pause)
        waiter.check_deadline()
        opened = sender.clock.monotonic()
        try:
            response = await sender.open(ops.job_events(waiter.job_id, waiter.last_event_id), deadline=waiter)
        except (APIError, APIConnectionError, RetriesExhausted) as exc:
            if _refused(exc):
                return False
            raise
        try:
            if not _is_event_stream(response):
                return False
            relay = httpx.Response(200, headers=_RELAY_HEADERS, content=_achunks(response, waiter))
            events = EventSource(relay).aiter_sse()
            try:
                async for sse in events:
                    if waiter.event(sse):
                        return True
            finally:
                await events.aclose()  # now, rather than whenever the loop finalises it
        except (httpx.TransportError, httpx.DecodingError, ValueError):
            return False
        finally:
            await response.aclose()


async def _achunks(response: httpx.Response, waiter: Waiter) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_bytes():
            waiter.check_deadline()
            yield chunk
    except httpx.ReadTimeout:  # as in ``_chunks``
        waiter.check_deadline()
