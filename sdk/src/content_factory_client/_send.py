"""Sending an operation with its retries: the same loop over ``Attempts``, once blocking and once async."""

from __future__ import annotations

import random
from typing import TypeVar

import httpx

from content_factory_client._clock import Clock
from content_factory_client._operations import Operation
from content_factory_client._retry import Attempts, RetryPolicy

T = TypeVar("T")

_MAX_HOPS = 5  # redirects followed by one call (downloads only: ``Operation.follows_redirects``)


class SyncSender:
    def __init__(self, http: httpx.Client, policy: RetryPolicy, clock: Clock) -> None:
        self.http = http
        self.clock = clock
        self._policy = policy
        self._rng = policy.jitter if policy.jitter is not None else random.Random()  # noqa: S311 (jitter)

    def send(self, op: Operation[T]) -> T:
        for _ in range(_MAX_HOPS):
            response, attempts = self._exchange(op, stream=False)
            target = op.redirected(response)
            if target is None:
                break
            op = target
        return op.result(response, unanswered=attempts.unanswered)

    def open(self, op: Operation[httpx.Response]) -> httpx.Response:
        """A streamed answer, open; the caller closes it. An error answer is raised, as ``send`` does."""
        response, attempts = self._exchange(op, stream=True)
        try:
            return op.result(response, unanswered=attempts.unanswered)
        except BaseException:
            response.close()
            raise

    def _exchange(self, op: Operation[T], *, stream: bool) -> tuple[httpx.Response, Attempts]:
        attempts = Attempts(self._policy, replayable=op.replayable, clock=self.clock, rng=self._rng)
        while True:
            attempts.start()
            try:
                response = self.http.send(op.build(self.http), stream=stream)
                if stream and response.is_error:
                    _read(response)
            except httpx.TransportError as exc:
                delay = attempts.after_error(exc)
            else:
                answered = attempts.after_response(response)
                if answered is None:
                    return response, attempts
                response.close()
                delay = answered
            self.clock.sleep(delay)


class AsyncSender:
    def __init__(self, http: httpx.AsyncClient, policy: RetryPolicy, clock: Clock) -> None:
        self.http = http
        self.clock = clock
        self._policy = policy
        self._rng = policy.jitter if policy.jitter is not None else random.Random()  # noqa: S311 (jitter)

    async def send(self, op: Operation[T]) -> T:
        for _ in range(_MAX_HOPS):
            response, attempts = await self._exchange(op, stream=False)
            target = op.redirected(response)
            if target is None:
                break
            op = target
        return op.result(response, unanswered=attempts.unanswered)

    async def open(self, op: Operation[httpx.Response]) -> httpx.Response:
        response, attempts = await self._exchange(op, stream=True)
        try:
            return op.result(response, unanswered=attempts.unanswered)
        except BaseException:
            await response.aclose()
            raise

    async def _exchange(self, op: Operation[T], *, stream: bool) -> tuple[httpx.Response, Attempts]:
        attempts = Attempts(self._policy, replayable=op.replayable, clock=self.clock, rng=self._rng)
        while True:
            attempts.start()
            try:
                response = await self.http.send(op.build(self.http), stream=stream)
                if stream and response.is_error:
                    await _aread(response)
            except httpx.TransportError as exc:
                delay = attempts.after_error(exc)
            else:
                answered = attempts.after_response(response)
                if answered is None:
                    return response, attempts
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
