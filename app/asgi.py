"""What the plain ASGI middlewares read from a request scope before Starlette wraps it in a ``Request``."""

from __future__ import annotations

from starlette.types import Scope

_INDEX = "cf.headers"  # the request's headers by name, built on the first look-up and kept in the scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the request header ``name`` (lower-case bytes, as ASGI gives names), or ``None``.

    A request's headers are read half a dozen times on the way in (request id, trace, credentials, user agent),
    so the first look-up indexes them once for the rest.
    """
    index: dict[bytes, bytes] | None = scope.get(_INDEX)
    if index is None:
        index = scope[_INDEX] = dict(reversed(scope.get("headers", [])))  # reversed: the first of repeats wins
    value = index.get(name)
    return None if value is None else value.decode("latin-1")
