"""The outermost edge of the app: the request id, limits on request headers, and the headers of every response.

A well-formed ``X-Request-ID`` is taken, or one is made; either way it is kept in the request scope (log lines and
error bodies carry it) and echoed on the response.

Every response, errors and 404s included, gets the headers below: a Content-Security-Policy for its kind
(``default-src 'none'; frame-ancestors 'none'`` for JSON and everything else; same-origin scripts, styles and
images for the self-hosted docs page; ``WEB_CSP``, which the study page at ``/`` sets itself), ``no-store``
caching unless the response chose its own (static docs and page assets), HSTS in production, and the
``X-RateLimit-*`` verdict that ``app.auth.access`` left in the request scope. An unexpected error is answered
here, as a 500 in the error envelope, and the connection stays open.

Requests whose headers exceed ``CF_MAX_HEADER_BYTES`` (or 100 fields) get 431, query strings over 8 KiB 414.
"""

from __future__ import annotations

import re
import secrets

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi import header
from app.auth.access import RATE_LIMIT_STATE
from app.errors import error_response, internal_error
from app.limits.rate import Verdict

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
_DOCS_CSP = DOCS_CSP.encode()
# The study page (app.api.web): its own modules, styles and images, fetches to this origin only; nothing inline,
# no form posts anywhere, never framed, no <base> to redirect its relative URLs.
WEB_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
MAX_HEADER_FIELDS = 100
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
MAX_QUERY_BYTES = 8192  # above the longest valid query: a 512-character cursor, percent-encoded

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def static_headers(*, production: bool) -> dict[str, str]:
    """The headers every response carries, as for a JSON response."""
    headers = {**_COMMON, "Content-Security-Policy": JSON_CSP, "Cache-Control": "no-store"}
    if production:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class EdgeSecurityMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool, max_header_bytes: int) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self._static = static_headers(production=production)
        self._encoded = [(k.lower().encode(), v.encode()) for k, v in self._static.items()]
        self._names = frozenset(name for name, _ in self._encoded)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["edge_headers"] = self._static
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else secrets.token_hex(16)
        state["request_id"] = request_id

        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = self._secure(list(message.get("headers", [])), state)
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            status, code, text = refusal
            await error_response(Request(scope), status, code, text)(scope, receive, send_secured)
            return
        try:
            await self.app(scope, receive, send_secured)
        except Exception:
            if started:  # the response is under way: only closing the connection can tell the client
                raise
            # Answered here rather than by Starlette's outermost handler, which re-raises to the server, and the
            # server then drops the connection: the client keeps its connection and gets every edge header.
            await internal_error(Request(scope))(scope, receive, send_secured)

    def _secure(self, headers: list[tuple[bytes, bytes]], state: dict[str, object]) -> list[tuple[bytes, bytes]]:
        present = {name.lower(): value for name, value in headers}
        if present.keys().isdisjoint(self._names) and not present.get(b"content-type", b"").startswith(b"text/html"):
            headers += self._encoded  # a JSON response that set none of them: the common case, in one step
        else:
            html = present.get(b"content-type", b"").startswith(b"text/html")
            for name, value in self._encoded:
                if name not in present:
                    headers.append((name, _DOCS_CSP if html and name == b"content-security-policy" else value))
        verdict = state.get(RATE_LIMIT_STATE)
        if isinstance(verdict, Verdict):
            headers += [(name, value) for name, value in verdict.encoded_headers() if name not in present]
        return headers

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        size = sum(len(name) + len(value) + 4 for name, value in headers)
        if size > self.max_header_bytes or len(headers) > MAX_HEADER_FIELDS:
            return (
                431,
                "request_header_fields_too_large",
                f"Request headers may take at most {self.max_header_bytes:,} bytes in {MAX_HEADER_FIELDS} fields.",
            )
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            return 414, "uri_too_long", f"The query string may take at most {MAX_QUERY_BYTES:,} bytes."
        return None
