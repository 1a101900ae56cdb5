"""When to send a request again, and after how long: the decisions, shared by the sync and async clients.

What is retried:

- a 429 (the server refused before doing anything) and a connection that never opened (``ConnectError``,
  ``ConnectTimeout``, ``PoolTimeout``), for every call;
- the other statuses of ``retry_statuses`` (502, 503, 504) and failures after the request may have left
  (read and write timeouts, ``ReadError``, ``WriteError``, ``RemoteProtocolError``), only for calls the server
  may receive twice (``replayable``: GET, DELETE, a POST with an ``Idempotency-Key``, a source upload).

Full-jitter exponential backoff (``uniform(0, min(max_delay, base_delay * 2**retry))``, retry counted from 0),
never sooner than the server asked (``Retry-After``; on a 429 without it, ``X-RateLimit-Reset``). The budget is
one per call, its redirects included: ``max_attempts`` failed attempts, and no sleep that would end past
``total_timeout`` from the first attempt. A call made inside a wait also carries the wait's ``Deadline``: no sleep
that would end at or past it, and when the deadline comes before the budget's end, it is the deadline's error
that is raised.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

import httpx

from content_factory_client._clock import Clock
from content_factory_client._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ContentFactoryError,
    ResponseDecodingError,
    RetriesExhausted,
    error_from_response,
    server_wait,
)

# Failures after which the server may have received the request: retried only when it may receive it twice.
_MAY_HAVE_ARRIVED = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_GATEWAY = frozenset({502, 504})  # a gateway answered for the server, which may have received the request


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    total_timeout: float = 120.0
    retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    jitter: random.Random | None = None  # None: each client draws from its own ``random.Random()``

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.total_timeout) < 0:
            raise ValueError("delays and total_timeout must not be negative")


class Deadline(Protocol):
    """A limit over several calls (a wait's), on the client's clock."""

    def remaining(self) -> float:
        """Seconds left, never negative."""
        ...

    def expired(self) -> ContentFactoryError:
        """The error to raise when the deadline stops a call (``WaitTimeout``)."""
        ...


class Attempts:
    """The attempts of one logical call, its redirects included: one budget. After each send the sender calls
    ``after_response`` or ``after_error``, which answer how long to sleep before the next attempt, or raise."""

    def __init__(
        self, policy: RetryPolicy, *, clock: Clock, rng: random.Random, deadline: Deadline | None = None
    ) -> None:
        self._policy = policy
        self._clock = clock
        self._rng = rng
        self._deadline = deadline
        self._started = clock.monotonic()
        self.failures = 0  # attempts that failed; a redirect is not one
        self.unanswered = False  # an earlier attempt may have reached the server, and its answer was lost

    def after_response(self, response: httpx.Response, *, replayable: bool) -> float | None:
        """None when this answer is the call's answer; else the seconds to sleep before sending again. The body
        must have been read. ``replayable``: the server may receive this request twice."""
        status = response.status_code
        if status not in self._policy.retry_statuses or (status != 429 and not replayable):
            return None
        if status in _GATEWAY:
            self.unanswered = True
        return self._next_delay(error_from_response(response), server_wait(status, response.headers))

    def after_error(self, exc: httpx.TransportError, *, replayable: bool) -> float:
        """The seconds to sleep before sending again; raises the client's error when this one is final."""
        if not isinstance(exc, _NEVER_SENT):
            if not (replayable and isinstance(exc, _MAY_HAVE_ARRIVED)):
                raise connection_error(exc) from exc
            self.unanswered = True
        return self._next_delay(exc, None)

    def _next_delay(self, error: APIError | httpx.TransportError, asked: float | None) -> float:
        policy = self._policy
        self.failures += 1
        elapsed = self._clock.monotonic() - self._started
        delay = self._rng.uniform(0, min(policy.max_delay, policy.base_delay * 2 ** (self.failures - 1)))
        if asked is not None:  # never sooner than the server asked
            delay = max(delay, asked)
        budget_left = policy.total_timeout - elapsed
        if self.failures >= policy.max_attempts:
            raise self._exhausted(error, elapsed) from error
        if self._deadline is not None:
            left = self._deadline.remaining()
            if delay >= left and left <= budget_left:  # the deadline comes first: it is what stops the call
                raise self._deadline.expired() from error
        if delay > budget_left:
            raise self._exhausted(error, elapsed) from error
        return delay

    def _exhausted(self, error: APIError | httpx.TransportError, elapsed: float) -> RetriesExhausted:
        what = str(error) if isinstance(error, APIError) else f"{type(error).__name__}: {error}"
        return RetriesExhausted(
            attempts=self.failures,
            elapsed=elapsed,
            last_error=error,
            message=f"Gave up after {self.failures} attempt(s) in {elapsed:.1f} s; the last: {what}",
        )


def connection_error(exc: httpx.TransportError | httpx.DecodingError) -> APIConnectionError:
    if isinstance(exc, httpx.DecodingError):
        return ResponseDecodingError(f"The answer could not be decoded ({type(exc).__name__}): {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"No answer in time ({type(exc).__name__}): {exc}")
    return APIConnectionError(f"The connection failed ({type(exc).__name__}): {exc}")
