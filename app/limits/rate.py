"""Rate limits: moving windows (``app.limits.windows``) in process memory, or in Redis shared by every instance.

Generation requests (``POST /v1/jobs``, retry) are counted per client IP (``CF_RATE_LIMIT_PER_IP``) and per key or
user (``CF_RATE_LIMIT_PER_KEY``, or the key's own limit); every other ``/v1`` request per key or user
(``CF_RATE_LIMIT_READS``). Wrong credentials are counted per client IP on every route
(``CF_RATE_LIMIT_FAILED_AUTH``); past the limit an address gets 429 before its credential is even looked at. A
moving window never lets more than the limit through in any window-long span, so the 11th request of a minute is
refused however the requests fall on the clock.

When the counter store fails, ``CF_RATE_LIMIT_ON_STORAGE_ERROR`` decides: ``allow`` lets the request through
(counted in ``storage_failures`` and logged, at most every 10 s), ``deny`` answers 503.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

from limits import RateLimitItem, parse_many
from limits.errors import StorageError

from app.errors import ServiceUnavailable, TooManyRequests
from app.limits.windows import MemoryWindows, RedisWindows, Windows

log = logging.getLogger(__name__)

_STORAGE_TIMEOUT_SECONDS = 1.0
_LOG_EVERY_SECONDS = 10.0


_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
_RAW_HEADERS = tuple(name.lower().encode() for name in _HEADERS)

Window = Literal["ip", "key", "reads", "auth"]  # what a window counts; also the metric's scope label


class Traffic(StrEnum):
    GENERATION = "generation"
    READ = "read"


class Verdict(NamedTuple):  # a named tuple rather than a dataclass: one is made on every request, and this is cheaper
    """The most restrictive window that counted a request: what the ``X-RateLimit-*`` headers report."""

    limit: int
    remaining: int
    reset_at: float  # epoch seconds when a slot frees up

    def headers(self) -> dict[str, str]:
        return {name: str(value) for name, value in zip(_HEADERS, self._values(), strict=True)}

    def encoded_headers(self) -> list[tuple[bytes, bytes]]:
        """The same headers as raw ASGI pairs (lower-case names), for a response on its way out."""
        return [(name, b"%d" % value) for name, value in zip(_RAW_HEADERS, self._values(), strict=True)]

    def _values(self) -> tuple[int, int, int]:
        return self.limit, self.remaining, math.ceil(self.reset_at)


def tighter(a: Verdict | None, b: Verdict | None) -> Verdict | None:
    if a is None or b is None:
        return a or b
    return a if (a.remaining, a.reset_at) <= (b.remaining, b.reset_at) else b


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The configured limits, in the ``limits`` syntax (``"10/minute"``, several joined by ``;``)."""

    per_ip: str
    per_key: str
    reads: str
    failed_auth: str = "30/minute"  # wrong credentials per client IP


class RateLimiter:
    def __init__(
        self,
        windows: Windows,
        limits: RateLimits,
        *,
        on_storage_error: Literal["allow", "deny"] = "allow",
        on_refused: Callable[[Window], None] = lambda window: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._windows = windows
        self._per_ip = parse_many(limits.per_ip)
        self._per_key = parse_many(limits.per_key)
        self._reads = parse_many(limits.reads)
        self._failed_auth = parse_many(limits.failed_auth)
        self._custom: dict[str, list[RateLimitItem]] = {}
        self._deny_on_error = on_storage_error == "deny"
        self._on_refused = on_refused
        self._clock = clock
        self.storage_failures = 0
        self._logged_at = float("-inf")

    @classmethod
    def in_memory(cls, limits: RateLimits, *, on_refused: Callable[[Window], None] = lambda w: None) -> RateLimiter:
        return cls(MemoryWindows(), limits, on_refused=on_refused)

    @classmethod
    def in_redis(
        cls,
        url: str,
        limits: RateLimits,
        *,
        on_storage_error: Literal["allow", "deny"],
        on_refused: Callable[[Window], None] = lambda w: None,
    ) -> RateLimiter:
        """Counters in Redis at ``url`` under ``cf-rate:``, with short timeouts so an outage fails fast."""
        windows = RedisWindows(url, timeout_seconds=_STORAGE_TIMEOUT_SECONDS)
        return cls(windows, limits, on_storage_error=on_storage_error, on_refused=on_refused)

    async def close(self) -> None:
        await self._windows.close()

    async def per_ip(self, ip: str) -> Verdict | None:
        return await self._count(self._per_ip, "ip", ip)

    async def per_subject(self, subject: str, traffic: Traffic, own_limit: str | None = None) -> Verdict | None:
        """Count a request of a key (or user); ``own_limit`` replaces the generation limit (a key's rate tier)."""
        if traffic is Traffic.READ:
            return await self._count(self._reads, "reads", subject)
        return await self._count(self._items(own_limit) if own_limit else self._per_key, "key", subject)

    async def refuse_guessing(self, ip: str) -> None:
        """429 for an address whose wrong credentials used up their window, before any credential is looked at."""
        try:
            for item in self._failed_auth:
                stats = await self._windows.peek(item, "auth", ip)
                if stats.remaining <= 0:
                    self._on_refused("auth")
                    raise _refusal(Verdict(item.amount, 0, stats.reset_time), self._clock(), "failed authentications")
        except (StorageError, TimeoutError, ConnectionError, OSError) as exc:
            self._storage_failed(exc)

    async def failed_authentication(self, ip: str) -> None:
        """Count a wrong credential against the client address."""
        try:
            for item in self._failed_auth:
                await self._windows.acquire(item, "auth", ip)
        except (StorageError, TimeoutError, ConnectionError, OSError) as exc:
            self._storage_failed(exc)

    def _items(self, spec: str) -> list[RateLimitItem]:
        items = self._custom.get(spec)
        if items is None:
            items = self._custom[spec] = parse_many(spec)
        return items

    async def _count(self, items: Sequence[RateLimitItem], window: Window, identifier: str) -> Verdict | None:
        try:
            verdict: Verdict | None = None
            for item in items:
                allowed, stats = await self._windows.acquire(item, window, identifier)
                current = Verdict(item.amount, max(0, stats.remaining), stats.reset_time)
                if not allowed:
                    self._on_refused(window)
                    raise _refusal(current, self._clock())
                verdict = tighter(verdict, current)
            return verdict
        except (StorageError, TimeoutError, ConnectionError, OSError) as exc:
            self._storage_failed(exc)
            return None

    def _storage_failed(self, exc: Exception) -> None:
        self.storage_failures += 1
        now = time.monotonic()
        if now - self._logged_at >= _LOG_EVERY_SECONDS:
            self._logged_at = now
            log.warning(
                "rate-limit counters unavailable (%s); %s requests (failures so far: %d)",
                type(exc).__name__,
                "refusing" if self._deny_on_error else "allowing",
                self.storage_failures,
            )
        if self._deny_on_error:
            raise ServiceUnavailable(
                "Rate limits cannot be checked right now; try again shortly.",
                code="rate_limits_unavailable",
                headers={"Retry-After": "5"},
            ) from exc


def _refusal(verdict: Verdict, now: float, what: str = "requests") -> TooManyRequests:
    wait = max(1, math.ceil(verdict.reset_at - now))
    return TooManyRequests(
        f"Rate limit of {verdict.limit} {what} exceeded; retry in {wait} s.",
        code="rate_limited",
        details={"limit": verdict.limit, "retry_after_seconds": wait},
        headers={**verdict.headers(), "Retry-After": str(wait)},
    )
