"""In-process TTL artifact cache: the embedded default."""

from __future__ import annotations

import asyncio
import time

from cachetools import TTLCache

from app.content.cache import CacheValue, Factory


class MemoryCache:
    def __init__(self, *, ttl_seconds: float, max_entries: int) -> None:
        self._entries: TTLCache[str, CacheValue] = TTLCache(
            maxsize=max_entries, ttl=max(ttl_seconds, 0.001), timer=time.monotonic
        )
        self._locks: dict[str, asyncio.Lock] = {}
        self._enabled = ttl_seconds > 0

    async def get_or_create(self, key: str, factory: Factory) -> tuple[CacheValue, bool]:
        if not self._enabled:
            return await factory(), False
        hit = self._entries.get(key)
        if hit is not None:
            return hit, True
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                hit = self._entries.get(key)
                if hit is not None:
                    return hit, True
                value = await factory()
                self._entries[key] = value
                return value, False
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._entries.clear()
