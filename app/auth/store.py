"""The API-key store port; the job store adapters implement it beside their jobs."""

from __future__ import annotations

from typing import Protocol

from app.auth.models import ApiKey


class KeyStore(Protocol):
    async def get_key(self, key_id: str) -> ApiKey | None: ...

    async def put_key(self, key: ApiKey) -> None: ...

    async def count_keys(self) -> int: ...
