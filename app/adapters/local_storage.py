"""Blob storage in a local folder (``CF_STORAGE_DIR``): the embedded default. A key is a relative path under the
folder; a write lands whole or not at all (a temporary file beside the blob, then ``os.replace``).

Keys are checked by the port's rules (``app.sources.storage.check_key``) before any I/O.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import anyio.to_thread

from app.sources.storage import BlobNotFound, check_key, check_prefix, is_key

# A temporary file's name holds "~", which no key segment may: it can never collide with a blob, and `list`
# skips it.
_TEMP_PREFIX = "~tmp-"
_MKSTEMP_ATTEMPTS = 3  # a concurrent delete_prefix may remove the folder between mkdir and mkstemp


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self._root = root

    @classmethod
    def open(cls, root: Path) -> LocalStorage:
        """The storage in ``root``, created (with its parents) if missing."""
        root.mkdir(parents=True, exist_ok=True)
        return cls(root)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self._path(check_key(key))  # content_type: a folder keeps none
        await anyio.to_thread.run_sync(_write_atomically, path, data)

    async def get(self, key: str) -> bytes:
        path = self._path(check_key(key))
        try:
            return await anyio.to_thread.run_sync(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFound(key) from None

    async def exists(self, key: str) -> bool:
        path = self._path(check_key(key))
        return await anyio.to_thread.run_sync(path.is_file)

    async def list(self, prefix: str) -> list[str]:
        folder = self._path(check_prefix(prefix)[:-1])
        return await anyio.to_thread.run_sync(_keys_under, self._root, folder)

    async def delete_prefix(self, prefix: str) -> int:
        folder = self._path(check_prefix(prefix)[:-1])
        return await anyio.to_thread.run_sync(_delete_tree, folder)

    async def download_url(self, key: str, *, seconds: int, filename: str, media_type: str) -> str | None:
        check_key(key)
        return None  # a folder serves nothing itself: the API streams the blob

    async def ping(self) -> None:
        await anyio.to_thread.run_sync(_probe_writable, self._root)

    async def close(self) -> None:
        return None

    def _path(self, key: str) -> Path:
        # A checked key has no "..", "." or empty segment, so the path stays under the root.
        return self._root.joinpath(*key.split("/"))


def _keys_under(root: Path, folder: Path) -> list[str]:
    keys: list[str] = []
    for dirpath, _dirnames, filenames in os.walk(folder):
        base = Path(dirpath).relative_to(root).as_posix()
        keys.extend(f"{base}/{name}" for name in filenames)
    # Temporary files (and anything else not named like a key) are not blobs. Sorted as strings, which for these
    # ASCII keys is the order Cloud Storage lists names in.
    return sorted(key for key in keys if is_key(key))


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temp = _temp_file_beside(path)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the name points at them
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def _temp_file_beside(path: Path) -> tuple[int, Path]:
    for _ in range(_MKSTEMP_ATTEMPTS - 1):
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f"{_TEMP_PREFIX}{path.name}-")
            return fd, Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f"{_TEMP_PREFIX}{path.name}-")
    return fd, Path(name)


def _delete_tree(folder: Path) -> int:
    """Delete the blobs under ``folder`` and then every folder left empty, ``folder`` included; how many blobs."""
    deleted = 0
    for dirpath, _dirnames, filenames in os.walk(folder, topdown=False):
        for name in filenames:
            if is_key(name):  # a temporary file belongs to a write in flight: leave it (and its folder)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(dirpath, name))
                    deleted += 1
        with contextlib.suppress(OSError):  # not empty: a write in flight, or a blob written meanwhile
            os.rmdir(dirpath)
    return deleted


def _probe_writable(root: Path) -> None:
    if not root.is_dir():
        raise NotADirectoryError(f"blob storage folder {root} does not exist")
    fd, name = tempfile.mkstemp(dir=root, prefix=f"{_TEMP_PREFIX}ping-")
    os.close(fd)
    os.unlink(name)
