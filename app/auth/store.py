"""The API-key store port; the job store adapters implement it beside their jobs.

Besides the keys themselves it keeps each key's token usage per UTC day (what the daily quota reads). Usage is
added when steps finish, often several at once for one key, so an adapter must not funnel those writes through
one record that can only take a write or so a second (Firestore: shard the day's counter).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from app.auth.models import ApiKey


class KeyStore(Protocol):
    async def get_key(self, key_id: str) -> ApiKey | None: ...

    async def put_key(self, key: ApiKey) -> None:
        """Insert or overwrite the key."""
        ...

    async def count_keys(self) -> int: ...

    async def list_keys(self, *, limit: int, after: str | None) -> list[ApiKey]:
        """Keys in key-id order, starting after the key id ``after``."""
        ...

    async def revoke_key(self, key_id: str, at: datetime, *, replaced_by: str | None = None) -> ApiKey | None:
        """Make the key stop working at ``at`` (kept if it already stops earlier); ``None`` when there is no key."""
        ...

    async def add_usage(self, subject: str, day: date, tokens: int) -> None:
        """Add tokens to the subject's (a key id, or ``uid:<uid>``) usage on a UTC day."""
        ...

    async def usage(self, subject: str, day: date) -> int:
        """The subject's tokens on a UTC day (0 when none)."""
        ...
