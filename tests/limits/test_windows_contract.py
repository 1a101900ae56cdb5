"""The rate-limit counter contract: a moving window in memory and in Redis (``redis-server``) behaves the same."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from limits import parse

from app.limits.windows import MemoryWindows, RedisWindows, Windows
from tests.fixtures.naming import unique_suffix
from tests.fixtures.services import RedisServer


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.services)])
async def windows(request: pytest.FixtureRequest) -> AsyncIterator[Windows]:
    opened: Windows
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        opened = RedisWindows(server.url, timeout_seconds=1.0)
    else:
        opened = MemoryWindows()
    yield opened
    await opened.close()


async def test_a_window_admits_its_limit_then_refuses_until_a_slot_frees(windows: Windows) -> None:
    item, who = parse("3/minute"), unique_suffix()
    started = time.time()
    answers = [await windows.acquire(item, "test", who) for _ in range(4)]
    assert [taken for taken, _ in answers] == [True, True, True, False]
    assert [stats.remaining for _, stats in answers] == [2, 1, 0, 0]
    reset = answers[-1][1].reset_time
    assert started + 59 <= reset <= time.time() + 61  # when the first of the three leaves the window


async def test_a_peek_reports_the_window_and_takes_nothing(windows: Windows) -> None:
    item, who = parse("2/minute"), unique_suffix()
    assert (await windows.peek(item, "test", who)).remaining == 2
    await windows.acquire(item, "test", who)
    for _ in range(3):
        assert (await windows.peek(item, "test", who)).remaining == 1
    await windows.acquire(item, "test", who)
    emptied = await windows.peek(item, "test", who)
    assert emptied.remaining == 0 and emptied.reset_time > time.time()


async def test_windows_are_separate_per_identifier_and_per_limit(windows: Windows) -> None:
    item, who, other = parse("1/minute"), unique_suffix(), unique_suffix()
    assert (await windows.acquire(item, "test", who))[0]
    assert not (await windows.acquire(item, "test", who))[0]
    assert (await windows.acquire(item, "test", other))[0]
    assert (await windows.acquire(item, "elsewhere", who))[0]
    assert (await windows.acquire(parse("1/hour"), "test", who))[0]


async def test_concurrent_requests_never_take_more_than_the_limit(windows: Windows) -> None:
    item, who = parse("10/minute"), unique_suffix()
    answers = await asyncio.gather(*(windows.acquire(item, "test", who) for _ in range(25)))
    assert sum(taken for taken, _ in answers) == 10


async def test_memory_windows_move_with_the_clock_and_forget_idle_keys() -> None:
    now = [1_000.0]
    memory = MemoryWindows(clock=lambda: now[0])
    item = parse("2/minute")
    assert (await memory.acquire(item, "t", "a"))[0]
    now[0] += 30
    assert (await memory.acquire(item, "t", "a"))[0]
    assert not (await memory.acquire(item, "t", "a"))[0]
    now[0] += 30.001  # the first request has left the window; the second has not
    taken, stats = await memory.acquire(item, "t", "a")
    assert taken and stats.remaining == 0
    for n in range(10_001):  # enough acquisitions to sweep: idle windows are dropped
        now[0] += 1
        await memory.acquire(item, "t", f"ip-{n}")
    assert memory.tracked < 200
