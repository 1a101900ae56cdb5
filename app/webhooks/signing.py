"""The ``X-CF-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` under the webhook's
secret. The timestamp is signed with the body, so a receiver that checks it (``tolerance``) refuses replays."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-CF-Signature"


def signature(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The header's value for ``body``, signed now (or at ``timestamp``)."""
    at = int(time.time()) if timestamp is None else timestamp
    return f"t={at},v1={signature(body, secret, at)}"


def verify(header: str, body: bytes, secret: str, tolerance: int = 300, *, now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret``, within ``tolerance`` seconds of now."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(body, secret, timestamp)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
