"""What the plain ASGI middlewares read from a request scope before Starlette wraps it in a ``Request``."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the request header ``name`` (lower-case bytes, as ASGI gives names), or ``None``."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None
