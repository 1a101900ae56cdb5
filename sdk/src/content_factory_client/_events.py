"""Waiting for a job: follow its event stream (``httpx-sse``), and poll with ``If-None-Match`` where the stream
is not offered or breaks.

A wait first reads the job (a job that does not exist is a ``NotFoundError`` at once, and a finished one is
returned), then streams from that version on (``Last-Event-ID``), resuming after the last event whenever the
server ends a stream early. A refused stream (404, 405, 5xx, retries spent, no connection) or a broken one
(the connection drops, an event cannot be read) hands over to polling, ``poll_interval`` apart. Every version
seen is reported to ``on_progress`` once, as a ``JobChange``. The deadline is checked between polls and on
every chunk of the stream, heartbeats included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
from httpx_sse import EventSource, ServerSentEvent

from content_factory_client import _operations as ops
from content_factory_client._clock import Clock
from content_factory_client._errors import APIConnectionError, APIError, NotFoundError, RetriesExhausted, WaitTimeout
from content_factory_client._send import AsyncSender, SyncSender
from content_factory_client.models import Job, JobChange

OnProgress = Callable[[JobChange], object]

_STREAM_REFUSED = frozenset({404, 405, 406, 500, 501, 502, 503, 504})  # poll instead


class Waiter:
    """The state and the decisions of one wait; the sync and async loops below only do its I/O."""

    def __init__(
        self, job_id: str, *, timeout: float, poll_interval: float, on_progress: OnProgress | None, clock: Clock
    ) -> None:
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

    def check_deadline(self) -> None:
        if self.clock.monotonic() >= self._deadline:
            raise WaitTimeout(self.job, self.timeout)

    def next_poll_in(self) -> float:
        return min(self.poll_interval, self.remaining())

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
    waiter.polled(sender.send(ops.poll_job(waiter.job_id, None)))
    if not waiter.job.finished and _stream(sender, waiter):
        waiter.polled(sender.send(ops.poll_job(waiter.job_id, None)))
    while not waiter.job.finished:
        waiter.check_deadline()
        sender.clock.sleep(waiter.next_poll_in())
        waiter.polled(sender.send(ops.poll_job(waiter.job_id, waiter.etag)))
    return waiter.job


def _stream(sender: SyncSender, waiter: Waiter) -> bool:
    """Follow the stream until its ``end`` (True) or until it is refused or breaks (False: poll)."""
    quiet = False  # the last stream ended without an event: wait a little before the next
    while True:
        waiter.check_deadline()
        if quiet:
            sender.clock.sleep(waiter.next_poll_in())
        try:
            response = sender.open(ops.job_events(waiter.job_id, waiter.last_event_id))
        except (APIError, APIConnectionError, RetriesExhausted) as exc:
            if _refused(exc):
                return False
            raise
        try:
            if not _is_event_stream(response):
                return False
            relay = httpx.Response(200, headers=_RELAY_HEADERS, content=_chunks(response, waiter))
            quiet = True
            for sse in EventSource(relay).iter_sse():
                quiet = False
                if waiter.event(sse):
                    return True
        except (httpx.TransportError, ValueError):  # a dropped connection; an event that cannot be read
            return False
        finally:
            response.close()


def _chunks(response: httpx.Response, waiter: Waiter) -> Iterator[bytes]:
    for chunk in response.iter_bytes():
        waiter.check_deadline()
        yield chunk


# --- async ------------------------------------------------------------------------------------------------------


async def await_job(sender: AsyncSender, waiter: Waiter) -> Job:
    waiter.polled(await sender.send(ops.poll_job(waiter.job_id, None)))
    if not waiter.job.finished and await _astream(sender, waiter):
        waiter.polled(await sender.send(ops.poll_job(waiter.job_id, None)))
    while not waiter.job.finished:
        waiter.check_deadline()
        await sender.clock.asleep(waiter.next_poll_in())
        waiter.polled(await sender.send(ops.poll_job(waiter.job_id, waiter.etag)))
    return waiter.job


async def _astream(sender: AsyncSender, waiter: Waiter) -> bool:
    quiet = False
    while True:
        waiter.check_deadline()
        if quiet:
            await sender.clock.asleep(waiter.next_poll_in())
        try:
            response = await sender.open(ops.job_events(waiter.job_id, waiter.last_event_id))
        except (APIError, APIConnectionError, RetriesExhausted) as exc:
            if _refused(exc):
                return False
            raise
        try:
            if not _is_event_stream(response):
                return False
            relay = httpx.Response(200, headers=_RELAY_HEADERS, content=_achunks(response, waiter))
            events = EventSource(relay).aiter_sse()
            quiet = True
            try:
                async for sse in events:
                    quiet = False
                    if waiter.event(sse):
                        return True
            finally:
                await events.aclose()  # now, rather than whenever the loop finalises it
        except (httpx.TransportError, ValueError):
            return False
        finally:
            await response.aclose()


async def _achunks(response: httpx.Response, waiter: Waiter) -> AsyncIterator[bytes]:
    async for chunk in response.aiter_bytes():
        waiter.check_deadline()
        yield chunk
