"""The key store contract (keys, revocation, daily usage counters). Every adapter must pass it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.auth import keys
from app.auth.models import ApiKey, Scope
from app.auth.service import stored_key
from app.auth.store import KeyStore
from tests.fixtures.stores import ADAPTERS, open_store

PEPPER = b"contract-pepper"
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[KeyStore]:
    async with open_store(request, tmp_path) as opened:
        yield opened


def a_key(owner: str = "team-a", *, daily_token_budget: int | None = None, rate_limit: str | None = None) -> ApiKey:
    return stored_key(
        keys.new_key(),
        PEPPER,
        owner=owner,
        name="test",
        scopes=(Scope.JOBS_READ,),
        daily_token_budget=daily_token_budget,
        rate_limit=rate_limit,
    )


async def test_keys_round_trip_with_their_limits(store: KeyStore) -> None:
    key = a_key(daily_token_budget=5000, rate_limit="1000/hour")
    await store.put_key(key)
    assert await store.get_key(key.id) == key
    assert await store.get_key("0" * 20) is None
    assert await store.count_keys() == 1


async def test_list_pages_through_every_key_once_in_id_order(store: KeyStore) -> None:
    made = [a_key(owner=f"owner-{i}") for i in range(7)]
    for key in made:
        await store.put_key(key)
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await store.list_keys(limit=3, after=after)
        if not page:
            break
        seen += [k.id for k in page]
        after = page[-1].id
    assert seen == sorted(k.id for k in made)


async def test_revoke_records_the_earliest_stop_and_the_replacement(store: KeyStore) -> None:
    key = a_key()
    await store.put_key(key)
    later = await store.revoke_key(key.id, T0 + timedelta(hours=1), replaced_by="f" * 20)
    assert later is not None and later.revoked_at == T0 + timedelta(hours=1) and later.replaced_by == "f" * 20
    sooner = await store.revoke_key(key.id, T0)
    assert sooner is not None and sooner.revoked_at == T0 and sooner.replaced_by == "f" * 20
    again = await store.revoke_key(key.id, T0 + timedelta(days=1))  # never pushed back
    assert again is not None and again.revoked_at == T0
    stored = await store.get_key(key.id)
    assert stored is not None and stored.revoked_at == T0 and not stored.active(T0)
    assert await store.revoke_key("0" * 20, T0) is None


async def test_usage_adds_up_per_subject_and_day_even_when_written_at_once(store: KeyStore) -> None:
    day = date(2026, 3, 1)
    assert await store.usage("k1", day) == 0
    await asyncio.gather(*(store.add_usage("k1", day, 10) for _ in range(20)))
    await store.add_usage("k1", day + timedelta(days=1), 7)
    await store.add_usage("uid:someone/with:odd chars", day, 5)
    assert await store.usage("k1", day) == 200
    assert await store.usage("k1", day + timedelta(days=1)) == 7
    assert await store.usage("uid:someone/with:odd chars", day) == 5
    assert await store.usage("k2", day) == 0
