"""Fixtures of the client's tests: a scripted API, a fake clock, and clients over both."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator

import pytest
from content_factory_client import AsyncClient, Client, RetryPolicy
from fakeapi import FakeAPI, FakeClock

URL = "http://cf.test"
KEY = "cf_test_key"


@pytest.fixture
def api() -> FakeAPI:
    return FakeAPI()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def policy() -> RetryPolicy:
    return RetryPolicy(jitter=random.Random(7))  # seeded jitter, so runs repeat


@pytest.fixture
def client(api: FakeAPI, clock: FakeClock, policy: RetryPolicy) -> Iterator[Client]:
    with Client(URL, KEY, transport=api.transport(), clock=clock, retry=policy) as made:
        yield made


@pytest.fixture
async def aclient(api: FakeAPI, clock: FakeClock, policy: RetryPolicy) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(URL, KEY, transport=api.async_transport(), clock=clock, retry=policy) as made:
        yield made
