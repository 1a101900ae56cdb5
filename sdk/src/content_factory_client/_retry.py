"""When to send a request again, and after how long: the decisions, shared by the sync and async clients.

What is retried:

- a 429 (the server refused before doing anything) and a connection that never opened (``ConnectError``,
  ``ConnectTimeout``, ``PoolTimeout``), for every call;
- the other statuses of ``retry_statuses`` (502, 503, 504) and failures after the request may have left
  (read and write timeouts, ``ReadError``, ``WriteError``, ``RemoteProtocolError``), only for calls the server
  may receive twice (``replayable``: GET, DELETE, a POST with an ``Idempotency-Key``, a source upload).

Full-jitter exponential backoff (``uniform(0, min(max_delay, base_delay * 2**retry))``, retry counted from 0),
never sooner than the server asked (``Retry-After``; on a 429 without it, ``X-RateLimit-Reset``). The budget is
``max_attempts`` attempts, and no sleep that would end past ``total_timeout`` from the first attempt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from content_factory_client._clock import Clock
from content_factory_client._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RetriesExhausted,
    error_from_response,
    retry_after_seconds,
    server_now,
)

_EPOCH_FROM = 1_000_000_000  # an X-RateLimit-Reset this large is a moment (epoch seconds), not a number of seconds
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


class Attempts:
    """The attempts of one logical call. The sender calls ``start`` before each send, then ``after_response``
    or ``after_error``, which answer how long to sleep before the next attempt or raise."""

    def __init__(self, policy: RetryPolicy, *, replayable: bool, clock: Clock, rng: random.Random) -> None:
        self._policy = policy
        self._replayable = replayable
        self._clock = clock
        self._rng = rng
        self._started = clock.monotonic()
        self.count = 0
        self.unanswered = False  # an earlier attempt may have reached the server, and its answer was lost

    def start(self) -> None:
        self.count += 1

    def after_response(self, response: httpx.Response) -> float | None:
        """None when this answer is the call's answer; else the seconds to sleep before sending again. The body
        must have been read."""
        status = response.status_code
        if status not in self._policy.retry_statuses or (status != 429 and not self._replayable):
            return None
        if status in _GATEWAY:
            self.unanswered = True
        return self._next_delay(error_from_response(response), _server_wait(response))

    def after_error(self, exc: httpx.TransportError) -> float:
        """The seconds to sleep before sending again; raises the client's error when this one is final."""
        if not isinstance(exc, _NEVER_SENT):
            if not (self._replayable and isinstance(exc, _MAY_HAVE_ARRIVED)):
                raise connection_error(exc) from exc
            self.unanswered = True
        return self._next_delay(exc, None)

    def _next_delay(self, error: APIError | httpx.TransportError, server_wait: float | None) -> float:
        policy = self._policy
        elapsed = self._clock.monotonic() - self._started
        retry = self.count - 1
        delay = self._rng.uniform(0, min(policy.max_delay, policy.base_delay * 2**retry))
        if server_wait is not None:
            delay = max(delay, server_wait)
        if self.count >= policy.max_attempts or elapsed + delay > policy.total_timeout:
            what = str(error) if isinstance(error, APIError) else f"{type(error).__name__}: {error}"
            raise RetriesExhausted(
                attempts=self.count,
                elapsed=elapsed,
                last_error=error,
                message=f"Gave up after {self.count} attempt(s) in {elapsed:.1f} s; the last: {what}",
            ) from error
        return delay


def connection_error(exc: httpx.TransportError) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"No answer in time ({type(exc).__name__}): {exc}")
    return APIConnectionError(f"The connection failed ({type(exc).__name__}): {exc}")


def _server_wait(response: httpx.Response) -> float | None:
    """The seconds the server asked for: ``Retry-After``, or on a 429 the ``X-RateLimit-Reset`` of the window
    that refused (this API sends the moment, in epoch seconds, when a slot frees up)."""
    asked = retry_after_seconds(response.headers)
    if asked is not None or response.status_code != 429:
        return asked
    try:
        reset = float(response.headers.get("X-RateLimit-Reset", ""))
    except ValueError:
        return None
    if reset >= _EPOCH_FROM:
        return max(0.0, reset - server_now(response.headers))
    return max(0.0, reset)
