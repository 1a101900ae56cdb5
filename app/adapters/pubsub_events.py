"""Job events published to a Pub/Sub topic (``google-cloud-pubsub``): the production ``EventPublisher``.

Each event is one message: ``data`` is ``Event.body()``, the attributes are its CloudEvents attributes (binary
content mode) and the ordering key is the job id, so a subscription with message ordering receives each job's
events in order.

With ordering enabled the client library retries a failed publish for ever (it extends any retry deadline to
2**32 s, ``PublisherClient.publish``), which would hold a job's later events and the caller behind one stuck
message. This adapter turns the library's retries off and bounds each publish request instead; an event that was
not accepted raises ``EventsRefused`` and the caller publishes it again later (events carry stable ids). A job
whose message failed is paused by the library until ``resume_publish``, which ``publish`` calls before raising.

The library reads ``PUBSUB_EMULATOR_HOST`` itself: while it is set, the client talks to the emulator there with
anonymous credentials, whatever ``endpoint`` says.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import re
from collections.abc import Sequence

import google.cloud.pubsub_v1 as pubsub_v1
from google.pubsub_v1.types import PublishRequest, PubsubMessage

from app.jobs.events import Event
from app.jobs.publishing import EventsRefused

_PUBLISH_TIMEOUT = 30.0  # seconds, per publish request (the library's default is 60)
_PING_TIMEOUT = 5.0
_MAX_REQUEST_BYTES = 10 * 1000 * 1000  # what one publish request may carry (https://cloud.google.com/pubsub/quotas)
_TOPIC_PATH = re.compile(r"projects/[^/]+/topics/[^/]+")

# The client's publish future (a concurrent.futures.Future of the message id), or why the event was not sent.
Sent = concurrent.futures.Future[str] | BaseException


class PubSubPublisher:
    def __init__(self, client: pubsub_v1.PublisherClient, topic_path: str) -> None:
        self._client = client
        self._topic = topic_path
        self._closed = False

    @classmethod
    def open(
        cls, topic_path: str, *, endpoint: str | None = None, timeout: float = _PUBLISH_TIMEOUT
    ) -> PubSubPublisher:
        """A publisher on Application Default Credentials (or the emulator, see the module docstring) for the
        topic ``projects/P/topics/T``; ``endpoint`` replaces the API endpoint (a regional one, say)."""
        if not _TOPIC_PATH.fullmatch(topic_path):
            raise ValueError(f"a Pub/Sub topic is 'projects/PROJECT/topics/TOPIC', not {topic_path!r}")
        options = pubsub_v1.types.PublisherOptions(enable_message_ordering=True, retry=None, timeout=timeout)
        client_options = {"api_endpoint": endpoint} if endpoint else None
        return cls(pubsub_v1.PublisherClient(publisher_options=options, client_options=client_options), topic_path)

    @property
    def topic(self) -> str:
        return self._topic

    async def publish(self, events: Sequence[Event]) -> None:
        if self._closed:
            raise RuntimeError("the Pub/Sub publisher is closed")
        if not events:
            return
        outcomes = await asyncio.gather(*(self._sent(future) for future in self._submit(events)))
        refused = [(event, error) for event, error in zip(events, outcomes, strict=True) if error is not None]
        if not refused:
            return
        for job_id in dict.fromkeys(event.job_id for event, _ in refused):
            self._resume(job_id)
        event, first = refused[0]
        raise EventsRefused(
            f"Pub/Sub did not accept {len(refused)} of {len(events)} events on {self._topic} "
            f"(first {event.id}: {first})",
            refused=[event.id for event, _ in refused],
        ) from first

    async def ping(self) -> None:
        # Needs pubsub.topics.get (roles/pubsub.viewer), which roles/pubsub.publisher alone does not grant.
        get = functools.partial(self._client.get_topic, topic=self._topic, timeout=_PING_TIMEOUT)
        await asyncio.to_thread(get)

    async def close(self) -> None:
        """Stop the client (it sends whatever is still batched) and close its channel. Idempotent."""
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._stop)

    def _submit(self, events: Sequence[Event]) -> list[Sent]:
        """Hand every event to the client; one too large to send holds back the rest of its job's events, which
        would otherwise overtake it."""
        submitted: list[Sent] = []
        held: dict[str, BaseException] = {}
        for event in events:
            if event.job_id in held:
                submitted.append(held[event.job_id])
                continue
            data, attributes = event.body(), event.attributes()
            if _request_bytes(self._topic, data, attributes, event.job_id) > _MAX_REQUEST_BYTES:
                # Refused here: the client would raise MessageTooLargeError, and where it does so for a new batch
                # it leaves that batch empty at the head of the key's queue, where it is never sent nor finished
                # (``OrderedSequencer.publish``, ``Batch._commit``): the job's later events would wait for ever.
                held[event.job_id] = ValueError(f"the event is over the {_MAX_REQUEST_BYTES} bytes of a request")
                submitted.append(held[event.job_id])
                continue
            # Not blocking: the client adds the message to a batch, which its own threads send.
            submitted.append(self._client.publish(self._topic, data, ordering_key=event.job_id, **attributes))
        return submitted

    @staticmethod
    async def _sent(future: Sent) -> BaseException | None:
        """None once Pub/Sub has accepted the message, else why not."""
        if isinstance(future, BaseException):
            return future
        try:
            await asyncio.wrap_future(future)
        except Exception as exc:  # a refusal, a timeout, or cancelled behind an earlier failure of the same job
            return exc
        return None

    def _resume(self, job_id: str) -> None:
        # Only a key whose batch failed is paused; one refused before it was sent was not, and resuming it
        # raises RuntimeError ("not paused"), as does a key another publish call resumed first.
        with contextlib.suppress(RuntimeError):
            self._client.resume_publish(self._topic, job_id)

    def _stop(self) -> None:
        self._client.stop()
        self._client.transport.close()


def _request_bytes(topic: str, data: bytes, attributes: dict[str, str], ordering_key: str) -> int:
    """The size of a publish request of this one message, as the client measures it before it batches one."""
    message = PubsubMessage(data=data, attributes=attributes, ordering_key=ordering_key)
    size: int = PublishRequest.pb(PublishRequest(topic=topic, messages=[message])).ByteSize()
    return size
