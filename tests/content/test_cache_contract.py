"""The artifact cache contract, over the memory and Redis adapters."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio
from redis.exceptions import ConnectionError as RedisConnectionError

from app.adapters.memory_cache import MemoryCache
from app.adapters.redis_cache import RedisCache
from app.content.cache import ArtifactCache, CacheValue
from tests.fixtures.services import RedisServer, free_port


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.services)])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[ArtifactCache]:
    opened: ArtifactCache
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        opened = RedisCache.open(server.url, ttl_seconds=60, lock_seconds=5)
    else:
        opened = MemoryCache(ttl_seconds=60, max_entries=100)
    yield opened
    await opened.close()


def key() -> str:
    return f"cf:test:{uuid.uuid4().hex}"


class Counting:
    def __init__(self, value: CacheValue, delay: float = 0.0, fail: int = 0) -> None:
        self.value, self.delay, self.fail, self.calls = value, delay, fail, 0

    async def __call__(self) -> CacheValue:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            self.fail -= 1
            raise RuntimeError("generation failed")
        return self.value


async def test_miss_then_hit(cache: ArtifactCache) -> None:
    k, factory = key(), Counting({"a": [1, 2]})
    assert await cache.get_or_create(k, factory) == ({"a": [1, 2]}, False)
    assert await cache.get_or_create(k, factory) == ({"a": [1, 2]}, True)
    assert factory.calls == 1


async def test_concurrent_identical_requests_compute_once(cache: ArtifactCache) -> None:
    k, factory = key(), Counting({"v": 1}, delay=0.2)
    results = await asyncio.gather(*(cache.get_or_create(k, factory) for _ in range(10)))
    assert factory.calls == 1
    assert all(value == {"v": 1} for value, _ in results)
    assert sorted(hit for _, hit in results) == [False] + [True] * 9


async def test_a_failing_factory_stores_nothing_and_the_next_caller_computes(cache: ArtifactCache) -> None:
    k, factory = key(), Counting({"v": 2}, fail=1)
    with pytest.raises(RuntimeError):
        await cache.get_or_create(k, factory)
    assert await cache.get_or_create(k, factory) == ({"v": 2}, False)


async def test_different_keys_do_not_share(cache: ArtifactCache) -> None:
    a, b = Counting({"v": "a"}), Counting({"v": "b"})
    assert (await cache.get_or_create(key(), a))[0] == {"v": "a"}
    assert (await cache.get_or_create(key(), b))[0] == {"v": "b"}


async def test_ping(cache: ArtifactCache) -> None:
    await cache.ping()


@pytest.mark.services
async def test_single_flight_spans_two_clients(redis_server: RedisServer) -> None:
    """Two instances (two connection pools) computing the same key: one computes, the other waits for it."""
    first = RedisCache.open(redis_server.url, ttl_seconds=60, lock_seconds=5)
    second = RedisCache.open(redis_server.url, ttl_seconds=60, lock_seconds=5)
    k, factory = key(), Counting({"v": 3}, delay=0.3)
    try:
        results = await asyncio.gather(first.get_or_create(k, factory), second.get_or_create(k, factory))
    finally:
        await first.close()
        await second.close()
    assert factory.calls == 1
    assert sorted(hit for _, hit in results) == [False, True]


@pytest.mark.services
async def test_a_holder_that_works_past_its_lock_keeps_it(redis_server: RedisServer) -> None:
    """The lock lasts 0.2 s; the generation takes five times that. Renewed, the lock keeps the other instance
    waiting for the value instead of generating it again."""
    first = RedisCache.open(redis_server.url, ttl_seconds=60, lock_seconds=0.2)
    second = RedisCache.open(redis_server.url, ttl_seconds=60, lock_seconds=0.2)
    k, factory = key(), Counting({"v": 6}, delay=1.0)
    try:
        holder = asyncio.create_task(first.get_or_create(k, factory))
        await asyncio.sleep(0.05)
        waiter = await second.get_or_create(k, factory)
        assert await holder == ({"v": 6}, False)
    finally:
        await first.close()
        await second.close()
    assert waiter == ({"v": 6}, True)
    assert factory.calls == 1


@pytest.mark.services
async def test_a_dead_lock_holder_is_taken_over(redis_server: RedisServer) -> None:
    cache = RedisCache.open(redis_server.url, ttl_seconds=60, lock_seconds=0.3)
    k = key()
    planter = redis.asyncio.from_url(redis_server.url)
    try:
        await planter.set(f"{k}:lock", "someone-who-died", px=300)  # a holder that died without releasing
        value, hit = await cache.get_or_create(k, Counting({"v": 4}))
    finally:
        await planter.aclose()
        await cache.close()
    assert (value, hit) == ({"v": 4}, False)


async def test_redis_down_degrades_to_misses() -> None:
    cache = RedisCache.open(f"redis://127.0.0.1:{free_port()}/0", ttl_seconds=60, lock_seconds=5)
    factory = Counting({"v": 5})
    try:
        assert await cache.get_or_create(key(), factory) == ({"v": 5}, False)
        assert await cache.get_or_create(key(), factory) == ({"v": 5}, False)
        with pytest.raises(RedisConnectionError):
            await cache.ping()
    finally:
        await cache.close()
    assert factory.calls == 2
