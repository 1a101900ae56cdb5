"""What the plain ASGI middlewares read from a request scope before Starlette wraps it in a ``Request``."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the request header ``name`` (lower-case bytes, as ASGI gives names), or ``None``."""
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None
