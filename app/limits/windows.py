"""The rate-limit counter port: moving windows, counted in process memory or in Redis.

``acquire`` takes one slot of a window if the window has one left, and reports what is left either way and when
the oldest request leaves the window. A moving window never admits more than the limit in any span of its
length, however the requests fall on the clock.

The Redis adapter is the ``limits`` library's moving window (a Lua script over a list per key, so every
instance shares the counts). The memory adapter keeps the request times per key in a deque: one step per
request, no background task, and a sweep of idle keys every so often so per-IP windows do not pile up.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from limits import RateLimitItem
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.util import WindowStats
from redis import asyncio as redis

_SWEEP_EVERY = 10_000  # acquisitions between sweeps of idle windows
_Key = tuple[RateLimitItem, tuple[str, ...]]  # a window: its limit and what it counts


class Windows(Protocol):
    async def acquire(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, WindowStats]:
        """Take a slot of the window ``item`` names for ``identifiers``; (taken, what is left and when)."""
        ...

    async def peek(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """What is left of the window and when its oldest slot frees, taking nothing."""
        ...

    async def close(self) -> None: ...


class MemoryWindows:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._hits: dict[_Key, deque[float]] = {}
        self._spans: dict[_Key, float] = {}
        self._until_sweep = _SWEEP_EVERY

    async def acquire(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, WindowStats]:
        now = self._clock()
        span = float(item.get_expiry())
        key = (item, identifiers)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            self._spans[key] = span
        while hits and hits[0] <= now - span:
            hits.popleft()
        taken = len(hits) < item.amount
        if taken:
            hits.append(now)
        self._until_sweep -= 1
        if self._until_sweep <= 0:
            self._sweep(now)
        reset = hits[0] + span if hits else now + span
        return taken, WindowStats(reset, item.amount - len(hits))

    async def peek(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        now = self._clock()
        span = float(item.get_expiry())
        hits = self._hits.get((item, identifiers))
        while hits and hits[0] <= now - span:
            hits.popleft()
        if not hits:
            return WindowStats(now + span, item.amount)
        return WindowStats(hits[0] + span, item.amount - len(hits))

    def _sweep(self, now: float) -> None:
        self._until_sweep = _SWEEP_EVERY
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self._spans[k]]:
            del self._hits[key], self._spans[key]

    @property
    def tracked(self) -> int:
        """How many windows are held (idle ones are dropped as acquisitions go on)."""
        return len(self._hits)

    async def close(self) -> None:
        self._hits.clear()


class RedisWindows:
    def __init__(self, url: str, *, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._pool = redis.ConnectionPool.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        storage = RedisStorage(
            "async+" + url,
            implementation="redispy",
            wrap_exceptions=True,  # outages surface as limits.errors.StorageError
            key_prefix="cf-rate",
            connection_pool=self._pool,  # type: ignore[arg-type]  # handed to redis.asyncio.Redis as is
        )
        self._windows = MovingWindowRateLimiter(storage)

    async def acquire(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, WindowStats]:
        async with asyncio.timeout(self._timeout * 2):  # both calls together, however the socket timeouts fall
            taken = await self._windows.hit(item, *identifiers)
            return taken, await self._windows.get_window_stats(item, *identifiers)

    async def peek(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        async with asyncio.timeout(self._timeout * 2):
            return await self._windows.get_window_stats(item, *identifiers)

    async def close(self) -> None:
        await self._pool.aclose()
