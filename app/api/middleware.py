"""Body size, type and time limits, checked before any handler reads the body.

Written as plain ASGI middleware so it runs before routing. The body is read here, whole, within
``read_seconds``: a client that sends it slowly gets 408 and its connection closes, instead of holding it for
as long as it likes (uvicorn bounds neither slow headers nor slow bodies; see SECURITY.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi import header
from app.errors import error_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes`` (413), bodies that are not JSON (415) and bodies that take longer than
    ``read_seconds`` to arrive (408), before any handler runs. The paths in ``uploads`` take multipart uploads
    as well, up to their own limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        read_seconds: float = 30.0,
        uploads: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_seconds = read_seconds
        self.uploads = dict(uploads or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        upload_limit = self.uploads.get(scope["path"])
        limit = self.max_bytes if upload_limit is None else upload_limit
        declared = header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(scope, send, 413, "payload_too_large", self._too_large(limit), limit)
            return
        body = bytearray()
        more = True
        try:
            async with asyncio.timeout(self.read_seconds):
                while more and len(body) <= limit:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    body += message.get("body", b"")
                    more = message.get("more_body", False)
        except TimeoutError:
            text = f"The request body did not arrive within {self.read_seconds:g} seconds."
            await self._refuse(scope, send, 408, "request_timeout", text, limit)
            return
        if len(body) > limit:  # refused outside the deadline: one answer, whatever the timing
            await self._refuse(scope, send, 413, "payload_too_large", self._too_large(limit), limit)
            return
        content_type = header(scope, b"content-type")
        if body and not (_is_json(content_type) or (upload_limit is not None and _is_multipart(content_type))):
            wanted = "application/json or multipart/form-data" if upload_limit is not None else "application/json"
            await self._refuse(scope, send, 415, "unsupported_media_type", f"Send the request body as {wanted}.", limit)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, limit: int) -> str:
        return f"The request body exceeds the limit of {limit:,} bytes."

    async def _refuse(self, scope: Scope, send: Send, status: int, code: str, message: str, limit: int) -> None:
        details: dict[str, float] | None = None
        if status == 413:
            details = {"limit_bytes": limit}
        elif status == 408:
            details = {"limit_seconds": self.read_seconds}
        response = error_response(Request(scope), status, code, message, details)
        await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


def _is_multipart(content_type: str | None) -> bool:
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
