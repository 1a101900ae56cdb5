"""The blob storage port: originals, extracted texts (and, later, exports), by key. Adapters: a local folder
(``app.adapters.local_storage``, the embedded default) and Cloud Storage (``app.adapters.gcs_storage``).

Keys are relative paths of safe segments (``sources/src_…/original``); an adapter refuses any other key.
"""

from __future__ import annotations

from typing import Protocol


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

    async def ping(self) -> None:
        """Raise when the storage cannot serve requests (readiness)."""
        ...

    async def close(self) -> None: ...
