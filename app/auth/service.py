"""Authenticating requests (an API key, or an Identity Platform ID token), and seeding the first admin key.

Verified credentials are remembered in process for ``cache_seconds`` (``CF_KEY_CACHE_SECONDS``), so most requests
cost no store read. That is also the bound on revocation: a revoked key stops working on every instance within
``cache_seconds`` of the revocation.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from cachetools import TTLCache

from app.auth import keys
from app.auth.id_tokens import IdTokenVerifier
from app.auth.models import ApiKey, Principal, Scope
from app.auth.store import KeyStore
from app.errors import Forbidden, Unauthenticated

log = logging.getLogger(__name__)

ALL_SCOPES = (Scope.JOBS_WRITE, Scope.JOBS_READ, Scope.ADMIN)
ADMIN_OWNER = "admin"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="content-factory"'}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Authenticator:
    """Verifies credentials against the store (keys) or Google's signing keys (ID tokens), with a TTL cache."""

    def __init__(
        self,
        store: KeyStore,
        pepper: bytes,
        cache_seconds: float,
        *,
        id_tokens: IdTokenVerifier | None = None,
        daily_token_budget: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._store = store
        self._pepper = pepper
        # The cache is indexed by a keyed BLAKE2b of the presented key: as safe to hold as the stored HMAC, and
        # a third of its cost on every request. The stored hash stays the HMAC (``app.auth.keys``).
        self._index_key = hashlib.sha256(b"cf-key-cache:" + pepper).digest()
        self._id_tokens = id_tokens
        self._budget = daily_token_budget
        self._now = now
        self._verified: TTLCache[str, Principal] | None = (
            TTLCache(maxsize=10_000, ttl=cache_seconds, timer=clock) if cache_seconds > 0 else None
        )

    async def identify(self, api_key: str | None, authorization: str | None) -> Principal:
        """The principal of a request: its ``X-API-Key`` if it sent one, else its ``Authorization: Bearer``, which
        holds an API key (``cf_…``, as generated clients send it) or an ID token."""
        if api_key:
            return await self.authenticate(api_key)
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated(
                    "Send an API key or an ID token as 'Authorization: Bearer <token>'.",
                    code="invalid_authorization",
                    headers=_CHALLENGE,
                )
            token = token.strip()
            if token.startswith(keys.KEY_PREFIX):
                return await self.authenticate(token)
            return await self._bearer(token)
        raise Unauthenticated(
            "Send an API key in the X-API-Key header, or an ID token as 'Authorization: Bearer <token>'.",
            code="missing_api_key",
            headers=_CHALLENGE,
        )

    async def authenticate(self, presented: str | None) -> Principal:
        if not presented:
            raise Unauthenticated("Send an API key in the X-API-Key header.", code="missing_api_key")
        digest = hashlib.blake2b(presented.encode(), key=self._index_key).hexdigest()
        if (known := self._remembered(digest)) is not None:
            return known
        stored = await self._store.get_key(keys.key_id(presented))
        if stored is None or not keys.matches(presented, stored.hash, self._pepper):
            raise Unauthenticated("The API key is not valid.", code="invalid_api_key")
        if not stored.active(self._now()):
            raise Unauthenticated("The API key has been revoked.", code="revoked_api_key")
        principal = Principal(
            owner=stored.owner,
            key_id=stored.id,
            scopes=frozenset(stored.scopes),
            daily_token_budget=stored.daily_token_budget if stored.daily_token_budget is not None else self._budget,
            rate_limit=stored.rate_limit,
            expires_at=stored.revoked_at,
        )
        self._remember(digest, principal)
        return principal

    async def _bearer(self, token: str) -> Principal:
        if self._id_tokens is None:
            raise Unauthenticated(
                "This deployment does not accept ID tokens; send an API key.", code="id_tokens_disabled"
            )
        digest = "id:" + hashlib.sha256(token.encode()).hexdigest()
        if (known := self._remembered(digest)) is not None:
            return known
        principal = await self._id_tokens.verify(token)
        self._remember(digest, principal)
        return principal

    def forget(self, key_id: str) -> None:
        """Drop a key from this process's cache (it was just revoked or rotated here)."""
        if self._verified is not None:
            for digest, principal in list(self._verified.items()):
                if principal.key_id == key_id:
                    self._verified.pop(digest, None)

    def _remembered(self, digest: str) -> Principal | None:
        if self._verified is None:
            return None
        known = self._verified.get(digest)
        if known is not None and known.expires_at is not None and known.expires_at <= self._now():
            self._verified.pop(digest, None)
            return None
        return known

    def _remember(self, digest: str, principal: Principal) -> None:
        if self._verified is not None:
            self._verified[digest] = principal


def require_scope(principal: Principal, scope: Scope) -> None:
    if scope not in principal.scopes and Scope.ADMIN not in principal.scopes:
        raise Forbidden(f"This credential lacks the '{scope.value}' scope.", code="missing_scope")


def stored_key(
    key: str,
    pepper: bytes,
    *,
    owner: str,
    name: str,
    scopes: tuple[Scope, ...],
    daily_token_budget: int | None = None,
    rate_limit: str | None = None,
) -> ApiKey:
    return ApiKey(
        id=keys.key_id(key),
        hash=keys.key_hash(key, pepper),
        owner=owner,
        name=name,
        scopes=scopes,
        created_at=datetime.now(UTC),
        daily_token_budget=daily_token_budget,
        rate_limit=rate_limit,
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
