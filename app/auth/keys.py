"""API key material: how keys look, how they are identified and how they are hashed.

A key is ``cf_`` followed by 43 url-safe characters (32 random bytes). It is never stored: the store keeps a
key id (a short digest of the key, for look-up) and an HMAC of the key under the server's pepper.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "cf_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def key_hash(key: str, pepper: bytes) -> str:
    return hmac.digest(pepper, key.encode(), "sha256").hex()  # one-shot: the same HMAC at a fraction of the cost


def matches(key: str, stored_hash: str, pepper: bytes) -> bool:
    return hmac.compare_digest(key_hash(key, pepper), stored_hash)
