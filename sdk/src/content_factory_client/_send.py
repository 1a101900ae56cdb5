"""Sending an operation with its retries: the same loop over ``Attempts``, once blocking and once async.

One ``Attempts`` covers a whole call, the redirects it follows included. A call made inside a wait carries the
wait's ``Deadline``; the event stream, which may stay silent, is also opened with timeouts no longer than what is
left of it (a poll answers at once, so it keeps the client's).
"""

from __future__ import annotations

import random
from typing import TypeVar

import httpx

from content_factory_client._clock import Clock
from content_factory_client._operations import Operation
from content_factory_client._retry import Attempts, Deadline, RetryPolicy, connection_error

T = TypeVar("T")

_MAX_HOPS = 5  # redirects followed by one call (downloads only: ``Operation.follows_redirects``)


class SyncSender:
    def __init__(self, http: httpx.Client, policy: RetryPolicy, clock: Clock) -> None:
        self.http = http
        self.clock = clock
        self._policy = policy
        self._rng = policy.jitter if policy.jitter is not None else random.Random()  # noqa: S311 (jitter)

    def send(self, op: Operation[T], *, deadline: Deadline | None = None) -> T:
        attempts = Attempts(self._policy, clock=self.clock, rng=self._rng, deadline=deadline)
        for _ in range(_MAX_HOPS):
            response = self._exchange(op, attempts, stream=False, within=None)
            target = op.redirected(response)
            if target is None:
                break
            op = target
        return op.result(response, unanswered=attempts.unanswered)

    def open(self, op: Operation[httpx.Response], *, deadline: Deadline) -> httpx.Response:
        """A streamed answer, open; the caller closes it. An error answer is raised, as ``send`` does."""
        attempts = Attempts(self._policy, clock=self.clock, rng=self._rng, deadline=deadline)
        response = self._exchange(op, attempts, stream=True, within=deadline.remaining())
        try:
            return op.result(response, unanswered=attempts.unanswered)
        except BaseException:
            response.close()
            raise

    def _exchange(self, op: Operation[T], attempts: Attempts, *, stream: bool, within: float | None) -> httpx.Response:
        while True:
            request = op.build(self.http, within=within)
            try:
                response = self.http.send(request, stream=stream)
                if stream and response.is_error:
                    _read(response)
            except httpx.TransportError as exc:
                delay = attempts.after_error(exc, replayable=op.replayable)
            except httpx.DecodingError as exc:  # the answer came, and its body cannot be decoded: not retried
                raise connection_error(exc) from exc
            else:
                answered = attempts.after_response(response, replayable=op.replayable)
                if answered is None:
                    return response
                response.close()
                delay = answered
            self.clock.sleep(delay)


class AsyncSender:
    def __init__(self, http: httpx.AsyncClient, policy: RetryPolicy, clock: Clock) -> None:
        self.http = http
        self.clock = clock
        self._policy = policy
        self._rng = policy.jitter if policy.jitter is not None else random.Random()  # noqa: S311 (jitter)

    async def send(self, op: Operation[T], *, deadline: Deadline | None = None) -> T:
        attempts = Attempts(self._policy, clock=self.clock, rng=self._rng, deadline=deadline)
        for _ in range(_MAX_HOPS):
            response = await self._exchange(op, attempts, stream=False, within=None)
            target = op.redirected(response)
            if target is None:
                break
            op = target
        return op.result(response, unanswered=attempts.unanswered)

    async def open(self, op: Operation[httpx.Response], *, deadline: Deadline) -> httpx.Response:
        attempts = Attempts(self._policy, clock=self.clock, rng=self._rng, deadline=deadline)
        response = await self._exchange(op, attempts, stream=True, within=deadline.remaining())
        try:
            return op.result(response, unanswered=attempts.unanswered)
        except BaseException:
            await response.aclose()
            raise

    async def _exchange(
        self, op: Operation[T], attempts: Attempts, *, stream: bool, within: float | None
    ) -> httpx.Response:
        while True:
            request = op.build(self.http, within=within)
            try:
                response = await self.http.send(request, stream=stream)
                if stream and response.is_error:
                    await _aread(response)
            except httpx.TransportError as exc:
                delay = attempts.after_error(exc, replayable=op.replayable)
            except httpx.DecodingError as exc:
                raise connection_error(exc) from exc
            else:
                answered = attempts.after_response(response, replayable=op.replayable)
                if answered is None:
                    return response
                await response.aclose()
                delay = answered
            await self.clock.asleep(delay)


def _read(response: httpx.Response) -> None:
    try:
        response.read()
    finally:
        response.close()


async def _aread(response: httpx.Response) -> None:
    try:
        await response.aread()
    finally:
        await response.aclose()
