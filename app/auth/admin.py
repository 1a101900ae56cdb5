"""Key administration, shared by ``/v1/admin/keys`` and ``python -m app keys``: create, list, show, revoke, rotate.

A new key is returned once, with its metadata; only its keyed hash is stored. Revocation is recorded in the store
and forgotten by this process's cache at once; other instances stop accepting the key within
``CF_KEY_CACHE_SECONDS`` (their caches' lifetime). Rotation creates a key with the same owner, scopes and limits
and revokes the old one, at once or after a grace period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.auth import keys
from app.auth.models import ApiKey
from app.auth.schemas import KeyCreate
from app.auth.service import stored_key
from app.auth.store import KeyStore
from app.errors import Conflict, NotFound


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class KeyAdmin:
    store: KeyStore
    pepper: bytes
    forget: Callable[[str], None] = lambda key_id: None  # drops a key from this process's verified-key cache
    now: Callable[[], datetime] = field(default=_utcnow)

    async def create(self, spec: KeyCreate) -> tuple[ApiKey, str]:
        """The stored key and the key itself (to be shown once)."""
        secret = keys.new_key()
        key = stored_key(
            secret,
            self.pepper,
            owner=spec.owner,
            name=spec.name,
            scopes=tuple(spec.scopes),
            daily_token_budget=spec.daily_token_budget,
            rate_limit=spec.rate_limit,
        )
        await self.store.put_key(key)
        return key, secret

    async def page(self, *, limit: int, cursor: str | None) -> tuple[list[ApiKey], str | None]:
        found = await self.store.list_keys(limit=limit + 1, after=cursor)
        more = len(found) > limit
        found = found[:limit]
        return found, found[-1].id if more and found else None

    async def get(self, key_id: str) -> ApiKey:
        key = await self.store.get_key(key_id)
        if key is None:
            raise NotFound(f"No API key {key_id!r}.", code="key_not_found")
        return key

    async def usage_today(self, key_id: str) -> int:
        return await self.store.usage(key_id, self.now().date())

    async def revoke(self, key_id: str) -> ApiKey:
        """Stop the key now (repeating it changes nothing)."""
        revoked = await self.store.revoke_key(key_id, self.now())
        if revoked is None:
            raise NotFound(f"No API key {key_id!r}.", code="key_not_found")
        self.forget(key_id)
        return revoked

    async def rotate(self, key_id: str, grace_seconds: int) -> tuple[ApiKey, str]:
        """A new key like the old one; the old one stops after ``grace_seconds``. Returns the new key."""
        old = await self.get(key_id)
        now = self.now()
        if not old.active(now) or old.replaced_by is not None:
            raise Conflict(f"API key {key_id!r} is revoked or already rotated.", code="key_not_rotatable")
        secret = keys.new_key()
        new = stored_key(
            secret,
            self.pepper,
            owner=old.owner,
            name=old.name,
            scopes=old.scopes,
            daily_token_budget=old.daily_token_budget,
            rate_limit=old.rate_limit,
        )
        await self.store.put_key(new)
        await self.store.revoke_key(key_id, now + timedelta(seconds=grace_seconds), replaced_by=new.id)
        self.forget(key_id)
        return new, secret
