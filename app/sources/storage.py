"""The blob storage port: originals, extracted texts and exports, by key. Adapters: a local folder
(``app.adapters.local_storage``, the embedded default) and Cloud Storage (``app.adapters.gcs_storage``).

Keys are relative paths of safe segments (``sources/src_…/original``); every adapter refuses any other key
(``check_key``, ``check_prefix``) before any I/O. One key is never the folder of another (``a`` and ``a/b``):
a local folder cannot hold both. ``content_type`` is kept where the storage keeps one (Cloud Storage).
"""

from __future__ import annotations

import re
from typing import Protocol

MAX_KEY_LENGTH = 512
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


def is_key(key: str) -> bool:
    """Whether ``key`` is segments of ``[A-Za-z0-9._-]`` joined by ``/``: not ``.`` or ``..``, no empty one."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return False
    return all(_SEGMENT.fullmatch(segment) and segment not in (".", "..") for segment in key.split("/"))


def check_key(key: str) -> str:
    """``key`` itself if it is a safe key (see ``is_key``), else ``ValueError``."""
    if not is_key(key):
        raise ValueError(f"unsafe blob key {key[:80]!r}: want segments of [A-Za-z0-9._-] joined by '/'")
    return key


def check_prefix(prefix: str) -> str:
    """``prefix`` itself if it is a safe key followed by ``/`` (a folder), else ``ValueError``."""
    if not prefix.endswith("/") or not is_key(prefix[:-1]):
        raise ValueError(f"unsafe blob prefix {prefix[:80]!r}: want a safe key followed by '/'")
    return prefix


class BlobNotFound(KeyError):
    """No blob under that key."""


class BlobStorage(Protocol):
    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        """Write the blob whole (readers never see part of it), replacing any blob under the key."""
        ...

    async def get(self, key: str) -> bytes:
        """The blob's bytes; ``BlobNotFound`` when there is none."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def list(self, prefix: str) -> list[str]:
        """The keys under ``prefix`` (a folder, ending in ``/``), sorted."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every blob under ``prefix`` (a folder, ending in ``/``); how many there were."""
        ...

    async def download_url(self, key: str, *, seconds: int, filename: str, media_type: str) -> str | None:
        """A URL that serves the blob for ``seconds`` as an attachment named ``filename`` of ``media_type``, with no
        other credential; ``None`` where the storage makes no such URLs (the API then streams the blob)."""
        ...

    async def ping(self) -> None:
        """Raise when the storage cannot serve requests (readiness)."""
        ...

    async def close(self) -> None: ...
