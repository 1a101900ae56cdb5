"""The blob storage contract. Every adapter of ``BlobStorage`` must pass it; parametrised over the adapters (Cloud
Storage through ``gcp-storage-emulator``), then what only the local folder can show: a write that fails halfway,
and that no file lands outside the folder."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc

from app.adapters.gcs_storage import GcsStorage
from app.adapters.local_storage import LocalStorage
from app.sources.storage import MAX_KEY_LENGTH, BlobNotFound, BlobStorage
from tests.fixtures.services import GcsEmulator

ADAPTERS = ["local", pytest.param("gcs", marks=pytest.mark.services)]
UNSAFE_KEYS = ["../x", "a/../b", "/abs", "a//b", "a/./b", ".", "", "a/", "a\\b", "a\x00b", "a b", "é", "a\n"]
THREE_MB = os.urandom(3 * 1024 * 1024)


@pytest.fixture(params=ADAPTERS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStorage]:
    opened: LocalStorage | GcsStorage
    if request.param == "gcs":
        emulator: GcsEmulator = request.getfixturevalue("gcs_emulator")
        emulator.reset()
        opened = GcsStorage.open(emulator.bucket, project=None)
    else:
        opened = LocalStorage.open(tmp_path / "blobs")
    yield opened
    await opened.close()


@pytest.fixture(params=ADAPTERS)
async def unusable(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStorage]:
    """A storage whose every request would fail: a folder that does not exist, a bucket that does not exist."""
    opened: LocalStorage | GcsStorage
    if request.param == "gcs":
        request.getfixturevalue("gcs_emulator")
        opened = GcsStorage.open("no-such-bucket", project=None)
    else:
        opened = LocalStorage(tmp_path / "absent")
    yield opened
    await opened.close()


@pytest.mark.parametrize("data", [b"", bytes(range(256)) * 4, THREE_MB], ids=["empty", "binary", "3MB"])
async def test_put_then_get_returns_the_same_bytes(storage: BlobStorage, data: bytes) -> None:
    await storage.put("sources/src_1/original", data, content_type="application/octet-stream")
    assert await storage.get("sources/src_1/original") == data


async def test_put_replaces_the_blob_under_the_key(storage: BlobStorage) -> None:
    await storage.put("k/v", b"first, and longer than the second", content_type="text/plain")
    await storage.put("k/v", b"second", content_type="text/plain")
    assert await storage.get("k/v") == b"second"
    assert await storage.list("k/") == ["k/v"]


async def test_concurrent_puts_leave_one_of_them_whole(storage: BlobStorage) -> None:
    contents = [bytes([i]) * 300_000 for i in range(4)]
    await asyncio.gather(*(storage.put("k/v", data, content_type="text/plain") for data in contents))
    assert await storage.get("k/v") in contents


async def test_get_of_a_missing_key_raises_blob_not_found(storage: BlobStorage) -> None:
    await storage.put("a/present", b"x", content_type="text/plain")
    for key in ("a/missing", "missing", "a/present/below", "a"):
        with pytest.raises(BlobNotFound):
            await storage.get(key)


async def test_exists(storage: BlobStorage) -> None:
    await storage.put("a/b/c", b"x", content_type="text/plain")
    assert await storage.exists("a/b/c")
    assert not await storage.exists("a/b/d")
    assert not await storage.exists("a/b")  # a folder is not a blob


async def test_list_is_sorted_and_holds_only_keys_under_the_folder(storage: BlobStorage) -> None:
    for key in ("a/2", "a/1", "a/sub/x", "a/1.txt", "a/1-b", "ab/1", "b/1", "a_b/1"):
        await storage.put(key, b"x", content_type="text/plain")
    assert await storage.list("a/") == ["a/1", "a/1-b", "a/1.txt", "a/2", "a/sub/x"]
    assert await storage.list("ab/") == ["ab/1"]
    assert await storage.list("a/sub/") == ["a/sub/x"]
    assert await storage.list("nothing/") == []
    assert await storage.list("a/1/") == []  # a blob is not a folder


async def test_delete_prefix_removes_everything_under_it_and_nothing_else(storage: BlobStorage) -> None:
    for key in ("a/1", "a/sub/x", "a/sub/deeper/y", "ab/1", "b/a/1"):
        await storage.put(key, b"x", content_type="text/plain")
    assert await storage.delete_prefix("a/") == 3
    assert await storage.list("a/") == []
    assert not await storage.exists("a/1")
    assert await storage.get("ab/1") == b"x"
    assert await storage.list("b/") == ["b/a/1"]
    assert await storage.delete_prefix("a/") == 0
    await storage.put("a/again", b"y", content_type="text/plain")  # the folder can be written again
    assert await storage.get("a/again") == b"y"


async def test_the_longest_key_is_accepted(storage: BlobStorage) -> None:
    key = "/".join(["k" * 170] * 3)  # short segments: a file name is limited to 255 bytes
    assert len(key) == MAX_KEY_LENGTH
    await storage.put(key, b"x", content_type="text/plain")
    assert await storage.get(key) == b"x"


@pytest.mark.parametrize("key", [*UNSAFE_KEYS, "k" * (MAX_KEY_LENGTH + 1)], ids=repr)
async def test_unsafe_keys_are_refused_before_any_io(unusable: BlobStorage, key: str) -> None:
    # On a storage that cannot serve any request, so an I/O error here would mean the key reached the I/O.
    with pytest.raises(ValueError, match="unsafe blob key"):
        await unusable.put(key, b"x", content_type="text/plain")
    with pytest.raises(ValueError, match="unsafe blob key"):
        await unusable.get(key)
    with pytest.raises(ValueError, match="unsafe blob key"):
        await unusable.exists(key)
    with pytest.raises(ValueError, match="unsafe blob prefix"):
        await unusable.list(key + "/")
    with pytest.raises(ValueError, match="unsafe blob prefix"):
        await unusable.delete_prefix(key + "/")


@pytest.mark.parametrize("prefix", ["", "a", "/", "a//"])
async def test_a_prefix_is_a_folder(unusable: BlobStorage, prefix: str) -> None:
    with pytest.raises(ValueError, match="unsafe blob prefix"):
        await unusable.list(prefix)
    with pytest.raises(ValueError, match="unsafe blob prefix"):
        await unusable.delete_prefix(prefix)


async def test_ping_succeeds(storage: BlobStorage) -> None:
    await storage.ping()


async def test_ping_raises_when_the_folder_or_bucket_is_missing(unusable: BlobStorage) -> None:
    with pytest.raises((OSError, gexc.NotFound)):
        await unusable.ping()


# --- local folder only ----------------------------------------------------------------------------------------


async def test_a_write_that_fails_before_the_rename_leaves_the_old_blob_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage.open(tmp_path / "blobs")
    await storage.put("a/k", b"old", content_type="text/plain")

    def crash(src: object, dst: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        await storage.put("a/k", b"new", content_type="text/plain")
    with pytest.raises(OSError, match="disk gone"):
        await storage.put("a/fresh", b"new", content_type="text/plain")
    monkeypatch.undo()

    assert await storage.get("a/k") == b"old"
    assert not await storage.exists("a/fresh")
    assert sorted(p.name for p in (tmp_path / "blobs" / "a").iterdir()) == ["k"]


async def test_files_land_only_under_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    storage = LocalStorage.open(root)
    for key in ("x", "a/b/c", "...", "a/..b", "-/_"):
        await storage.put(key, b"x", content_type="text/plain")
    for key in ("../escape", "a/../../escape", "/" + str(tmp_path / "escape")):
        with pytest.raises(ValueError, match="unsafe blob key"):
            await storage.put(key, b"x", content_type="text/plain")
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["root/-/_", "root/...", "root/a/..b", "root/a/b/c", "root/x"]
    assert await storage.list("a/") == ["a/..b", "a/b/c"]


async def test_delete_prefix_removes_the_folders_it_empties(tmp_path: Path) -> None:
    storage = LocalStorage.open(tmp_path / "blobs")
    await storage.put("sources/s1/original", b"x", content_type="text/plain")
    await storage.put("sources/s1/parts/1", b"x", content_type="text/plain")
    await storage.put("sources/s2/original", b"x", content_type="text/plain")
    assert await storage.delete_prefix("sources/s1/") == 2
    assert [p.name for p in (tmp_path / "blobs" / "sources").iterdir()] == ["s2"]
