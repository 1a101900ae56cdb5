"""Authenticating API keys, and seeding the first admin key of an empty store."""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime

from cachetools import TTLCache

from app.auth import keys
from app.auth.models import ApiKey, Principal, Scope
from app.auth.store import KeyStore
from app.errors import Forbidden, Unauthenticated

log = logging.getLogger(__name__)

ALL_SCOPES = (Scope.JOBS_WRITE, Scope.JOBS_READ, Scope.ADMIN)
ADMIN_OWNER = "admin"


class Authenticator:
    """Verifies keys against the store, remembering verified keys for ``cache_seconds``."""

    def __init__(self, store: KeyStore, pepper: bytes, cache_seconds: float) -> None:
        self._store = store
        self._pepper = pepper
        self._verified: TTLCache[str, Principal] | None = (
            TTLCache(maxsize=10_000, ttl=cache_seconds, timer=time.monotonic) if cache_seconds > 0 else None
        )

    async def authenticate(self, presented: str | None) -> Principal:
        if not presented:
            raise Unauthenticated("Send an API key in the X-API-Key header.", code="missing_api_key")
        digest = keys.key_hash(presented, self._pepper)
        if self._verified is not None and (known := self._verified.get(digest)) is not None:
            return known
        stored = await self._store.get_key(keys.key_id(presented))
        if stored is None or not keys.matches(presented, stored.hash, self._pepper):
            raise Unauthenticated("The API key is not valid.", code="invalid_api_key")
        if stored.revoked_at is not None:
            raise Unauthenticated("The API key has been revoked.", code="revoked_api_key")
        principal = Principal(owner=stored.owner, key_id=stored.id, scopes=frozenset(stored.scopes))
        if self._verified is not None:
            self._verified[digest] = principal
        return principal


def require_scope(principal: Principal, scope: Scope) -> None:
    if scope not in principal.scopes and Scope.ADMIN not in principal.scopes:
        raise Forbidden(f"This API key lacks the '{scope.value}' scope.", code="missing_scope")


def stored_key(key: str, pepper: bytes, *, owner: str, name: str, scopes: tuple[Scope, ...]) -> ApiKey:
    return ApiKey(
        id=keys.key_id(key),
        hash=keys.key_hash(key, pepper),
        owner=owner,
        name=name,
        scopes=scopes,
        created_at=datetime.now(UTC),
    )


async def bootstrap_admin_key(store: KeyStore, pepper: bytes, configured: str | None) -> str | None:
    """Make sure an admin key exists. Returns a generated key (to be shown once), or ``None``."""
    if configured is not None:
        existing = await store.get_key(keys.key_id(configured))
        if existing is None or existing.hash != keys.key_hash(configured, pepper):
            await store.put_key(stored_key(configured, pepper, owner=ADMIN_OWNER, name="bootstrap", scopes=ALL_SCOPES))
        return None
    if await store.count_keys() > 0:
        return None
    generated = keys.new_key()
    await store.put_key(stored_key(generated, pepper, owner=ADMIN_OWNER, name="bootstrap", scopes=ALL_SCOPES))
    return generated


def announce_generated_key(key: str) -> None:
    """Print a generated admin key once, on stdout, where the person who started the server sees it."""
    banner = "=" * 72
    sys.stdout.write(
        f"{banner}\nNo API key was configured, so one admin key was created for this store.\n"
        f"It is shown only now; keep it:\n\n    X-API-Key: {key}\n\n"
        f"Set CF_BOOTSTRAP_ADMIN_KEY to choose your own.\n{banner}\n"
    )
    sys.stdout.flush()
