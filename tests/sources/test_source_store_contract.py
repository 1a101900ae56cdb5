"""The source store contract, on both adapters: one source per owner and bytes, owner-scoped pages newest first,
and deletion that frees the bytes for a new upload."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.sources.models import Source, SourceKind
from app.sources.store import SourceCursor, SourceStore
from tests.fixtures.jobs import T0
from tests.fixtures.stores import ADAPTERS, open_store


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SourceStore]:
    async with open_store(request, tmp_path) as opened:
        yield opened


def make_source(source_id: str, *, owner: str = "alice", sha: str | None = None, minutes: int = 0) -> Source:
    return Source(
        id=source_id,
        owner=owner,
        title=f"Source {source_id}",
        kind=SourceKind.PDF,
        characters=1200,
        pages=3,
        page_starts=(0, 400, 800),
        language="en",
        sha256=sha or f"{source_id:0>64}"[-64:],
        media_type="application/pdf",
        size=5000,
        created_at=T0 + timedelta(minutes=minutes),
    )


async def test_create_get_and_find_by_owner_and_bytes(store: SourceStore) -> None:
    source = make_source("s1", sha="a" * 64)
    assert await store.create_source(source) == source
    assert await store.get_source("s1") == source
    assert await store.find_source("alice", "a" * 64) == source
    assert await store.find_source("bob", "a" * 64) is None
    assert await store.get_source("missing") is None


async def test_the_same_bytes_from_one_owner_are_one_source(store: SourceStore) -> None:
    first = await store.create_source(make_source("s1", sha="b" * 64))
    again = await store.create_source(make_source("s2", sha="b" * 64))
    assert again.id == first.id == "s1"
    assert await store.get_source("s2") is None
    other = await store.create_source(make_source("s3", owner="bob", sha="b" * 64))
    assert other.id == "s3"


async def test_concurrent_uploads_of_the_same_bytes_make_one_source(store: SourceStore) -> None:
    made = await asyncio.gather(*(store.create_source(make_source(f"c{i}", sha="c" * 64)) for i in range(5)))
    assert len({s.id for s in made}) == 1


async def test_list_is_owner_scoped_newest_first_and_paged(store: SourceStore) -> None:
    for i in range(5):
        await store.create_source(make_source(f"a{i}", minutes=i))
    await store.create_source(make_source("b0", owner="bob"))
    first = await store.list_sources("alice", limit=2, after=None)
    assert [s.id for s in first] == ["a4", "a3"]
    cursor = SourceCursor(first[-1].created_at, first[-1].id)
    rest = await store.list_sources("alice", limit=10, after=cursor)
    assert [s.id for s in rest] == ["a2", "a1", "a0"]
    assert [s.id for s in await store.list_sources("bob", limit=10, after=None)] == ["b0"]


async def test_delete_removes_the_source_and_frees_its_bytes(store: SourceStore) -> None:
    await store.create_source(make_source("s1", sha="d" * 64))
    assert await store.delete_source("s1") is True
    assert await store.delete_source("s1") is False
    assert await store.get_source("s1") is None
    assert await store.find_source("alice", "d" * 64) is None
    again = await store.create_source(make_source("s2", sha="d" * 64))
    assert again.id == "s2"
