"""The authenticator: keys checked against the store, remembered for ``cache_seconds`` (the revocation bound)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.sqlite_store import SqliteStore
from app.auth import keys
from app.auth.admin import KeyAdmin
from app.auth.models import Scope
from app.auth.schemas import KeyCreate
from app.auth.service import Authenticator
from app.errors import Unauthenticated

PEPPER = b"unit-pepper"
T0 = datetime(2026, 5, 1, 9, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.seconds)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "auth.db")
    yield opened
    await opened.close()


async def test_another_instance_refuses_a_revoked_key_once_its_cache_time_has_passed(store: SqliteStore) -> None:
    clock = Clock()
    admin = KeyAdmin(store, PEPPER, now=clock.now)  # the instance that revokes
    other = Authenticator(store, PEPPER, cache_seconds=30, clock=clock.monotonic, now=clock.now)
    key, secret = await admin.create(KeyCreate(owner="team-a", name="k"))
    assert (await other.authenticate(secret)).key_id == key.id  # remembered from now on

    await admin.revoke(key.id)
    clock.seconds = 29.9
    assert (await other.authenticate(secret)).key_id == key.id  # still inside the documented bound
    clock.seconds = 30.0
    with pytest.raises(Unauthenticated) as refused:
        await other.authenticate(secret)
    assert refused.value.code == "revoked_api_key"


async def test_with_no_cache_a_revocation_is_seen_at_once(store: SqliteStore) -> None:
    admin = KeyAdmin(store, PEPPER)
    key, secret = await admin.create(KeyCreate(owner="team-a", name="k"))
    other = Authenticator(store, PEPPER, cache_seconds=0)
    await other.authenticate(secret)
    await admin.revoke(key.id)
    with pytest.raises(Unauthenticated):
        await other.authenticate(secret)


async def test_a_rotated_key_stops_at_the_end_of_its_grace_period_even_when_cached(store: SqliteStore) -> None:
    clock = Clock()
    admin = KeyAdmin(store, PEPPER, now=clock.now)
    auth = Authenticator(store, PEPPER, cache_seconds=600, clock=clock.monotonic, now=clock.now)
    old, old_secret = await admin.create(KeyCreate(owner="team-a", name="k"))
    new, new_secret = await admin.rotate(old.id, grace_seconds=60)
    assert (await auth.authenticate(old_secret)).key_id == old.id  # remembered, with the end of its grace
    clock.seconds = 59
    assert (await auth.authenticate(old_secret)).key_id == old.id
    assert (await auth.authenticate(new_secret)).key_id == new.id
    clock.seconds = 60
    with pytest.raises(Unauthenticated):
        await auth.authenticate(old_secret)


async def test_keys_are_matched_by_keyed_hash_only(store: SqliteStore) -> None:
    admin = KeyAdmin(store, PEPPER)
    key, secret = await admin.create(KeyCreate(owner="team-a", name="k", scopes=[Scope.ADMIN]))
    stored = await store.get_key(key.id)
    assert stored is not None and secret not in stored.model_dump_json()
    assert stored.hash == keys.key_hash(secret, PEPPER) and stored.id == keys.key_id(secret)
    elsewhere = Authenticator(store, b"another-pepper", cache_seconds=30)
    with pytest.raises(Unauthenticated) as refused:
        await elsewhere.authenticate(secret)
    assert refused.value.code == "invalid_api_key"


async def test_budgets_fall_back_to_the_server_default(store: SqliteStore) -> None:
    admin = KeyAdmin(store, PEPPER)
    _, own = await admin.create(KeyCreate(owner="a", name="k", daily_token_budget=10))
    _, default = await admin.create(KeyCreate(owner="a", name="k"))
    auth = Authenticator(store, PEPPER, cache_seconds=30, daily_token_budget=1000)
    assert (await auth.authenticate(own)).daily_token_budget == 10
    assert (await auth.authenticate(default)).daily_token_budget == 1000
