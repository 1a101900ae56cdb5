"""The transport retry policy for provider calls, and a per-provider circuit breaker.

Rate limits, server errors and timeouts are retried with exponential backoff and jitter, never sooner than a
``Retry-After`` says, bounded in attempts and in total time. Invalid output is not this module's business (the
generator re-asks). A provider that keeps failing opens the breaker: calls then fail at once, transiently, so
the queue retries the step later instead of hammering the provider.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    stop_any,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_random_exponential

from app.content.generator import PermanentGenerationError, TransientGenerationError
from app.llm.providers.base import ProviderError

T = TypeVar("T")
log = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, *, failures: int, cooldown_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._threshold = failures
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    def check(self, provider: str) -> None:
        """Raise while open; after the cooldown, let one trial call through (half-open)."""
        if self._opened_at is None:
            return
        remaining = self._opened_at + self._cooldown - self._clock()
        if remaining > 0:
            raise TransientGenerationError(
                f"{provider} failed {self._failures} times in a row; calls are paused for {remaining:.0f}s.",
                code="provider_circuit_open",
                retry_after=remaining,
            )
        self._opened_at = self._clock()  # half-open: this call is the trial; others wait another cooldown

    def success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def failure(self) -> None:
        self._failures += 1
        if self._failures >= self._threshold:
            self._opened_at = self._clock()

    @property
    def open(self) -> bool:
        return self._opened_at is not None


class CallPolicy:
    def __init__(
        self,
        *,
        provider: str,
        attempts: int,
        max_seconds: float,
        breaker: CircuitBreaker,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
    ) -> None:
        self._provider = provider
        self._attempts = attempts
        self._max_seconds = max_seconds
        self._breaker = breaker
        self._backoff = wait_random_exponential(multiplier=backoff_base, max=backoff_cap)

    @property
    def circuit_open(self) -> bool:
        return self._breaker.open

    async def call(self, operation: Callable[[], Awaitable[T]]) -> T:
        started = time.monotonic()
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, ProviderError) and e.transient),
            stop=stop_any(
                stop_after_attempt(self._attempts),
                stop_after_delay(self._max_seconds),
                _StopWhenAskedToWaitPast(self._max_seconds),
            ),
            wait=self._wait,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    self._breaker.check(self._provider)
                    try:
                        result = await operation()
                    except ProviderError as exc:
                        if exc.transient:
                            self._breaker.failure()
                        raise
                    self._breaker.success()
                    return result
        except ProviderError as exc:
            if not exc.transient:
                raise PermanentGenerationError(exc.message, code="provider_error") from exc
            elapsed = time.monotonic() - started
            log.warning("%s still failing after %.1fs: %s", self._provider, elapsed, exc.message)
            raise TransientGenerationError(
                f"{exc.message} (gave up after {elapsed:.0f}s)",
                code="provider_unavailable",
                retry_after=exc.retry_after,
            ) from exc
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def _wait(self, state: RetryCallState) -> float:
        return max(self._backoff(state), _retry_after(state))


class _StopWhenAskedToWaitPast(stop_base):
    """Stop early when the provider asks for a wait beyond the time left: the queue will come back later."""

    def __init__(self, max_seconds: float) -> None:
        self._max_seconds = max_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        return _retry_after(retry_state) > self._max_seconds - (retry_state.seconds_since_start or 0.0)


def _retry_after(state: RetryCallState) -> float:
    outcome = state.outcome
    exc = outcome.exception() if outcome is not None and outcome.failed else None
    if isinstance(exc, ProviderError) and exc.retry_after is not None:
        return exc.retry_after
    return 0.0
