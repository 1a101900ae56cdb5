"""Redis artifact cache (``redis.asyncio``): the production adapter, shared by every instance.

Same keys and TTL as the memory cache. Single-flight across processes: the first step to miss takes a lock
key (``SET NX PX``) and generates, renewing the lock every third of its life while it does; identical steps
elsewhere wait for the value to appear while the lock lives, and take over if the lock holder dies (its lock
expires, unrenewed). Redis being down is never a job failure: every Redis error degrades to
"not cached" and is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from app.content.cache import CacheValue, Factory

log = logging.getLogger(__name__)

# Delete the lock only if it is still ours (it may have expired and been taken by another process).
_DOWN = object()  # what a Redis call returns when Redis could not be reached

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""
# Extend the lock only if it is still ours.
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
"""


class RedisCache:
    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_seconds: int,
        lock_seconds: float,
        poll_seconds: float = 0.05,
    ) -> None:
        self._redis = client
        self._ttl = ttl_seconds
        self._lock_ms = int(lock_seconds * 1000)
        self._poll = poll_seconds
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)

    @classmethod
    def open(cls, url: str, *, ttl_seconds: int, lock_seconds: float, timeout_seconds: float = 2.0) -> RedisCache:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds, decode_responses=False
        )
        return cls(client, ttl_seconds=ttl_seconds, lock_seconds=lock_seconds)

    async def get_or_create(self, key: str, factory: Factory) -> tuple[CacheValue, bool]:
        if self._ttl <= 0:
            return await factory(), False
        hit = await self._get(key)
        if hit is not None:
            return hit, True
        token = secrets.token_hex(16)
        lock_key = f"{key}:lock"
        while True:
            acquired = await self._try(self._redis.set(lock_key, token, nx=True, px=self._lock_ms))
            if acquired is _DOWN:  # generate without Redis
                return await factory(), False
            if acquired:
                try:
                    hit = await self._get(key)  # another holder may have finished just before us
                    if hit is not None:
                        return hit, True
                    value = await self._renewing(lock_key, token, factory)
                    await self._try(self._redis.set(key, json.dumps(value), ex=self._ttl))
                    return value, False
                finally:
                    await self._try(self._release(keys=[lock_key], args=[token]))
            await asyncio.sleep(self._poll)
            hit = await self._get(key)
            if hit is not None:
                return hit, True
            # Still locked: its holder is alive (it renews the lock) and this step waits on. Unlocked: the loop
            # takes the lock itself (the holder died, or failed and stored nothing).

    async def _renewing(self, lock_key: str, token: str, factory: Factory) -> CacheValue:
        work = asyncio.ensure_future(factory())
        try:
            while True:
                done, _ = await asyncio.wait({work}, timeout=self._lock_ms / 3000)
                if done:
                    return work.result()
                await self._try(self._extend(keys=[lock_key], args=[token, self._lock_ms]))
        finally:
            if not work.done():
                work.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await work

    async def _get(self, key: str) -> CacheValue | None:
        raw = await self._try(self._redis.get(key))
        if raw is _DOWN or not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            log.warning("dropping an unreadable cache entry %s", key)
            return None
        return value if isinstance(value, dict) else None

    async def _try(self, operation: Any) -> Any:
        try:
            return await operation
        except (RedisError, OSError) as exc:
            log.warning("redis unavailable, treating as a cache miss: %s", type(exc).__name__)
            return _DOWN

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
