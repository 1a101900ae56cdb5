"""A local stand-in for Sentry: an HTTP server on 127.0.0.1 that receives envelopes and parses them.

    with SentryStandIn() as sentry:
        settings = make_settings(sentry_dsn=sentry.dsn)
        ...
        sentry.wait_for_events(1)     # bounded polls
        sentry.events, sentry.raw      # parsed event payloads, and every request body as received

An envelope is newline-separated JSON: a header, then per item an item header and its payload (the payload's
length is in the item header when it may contain newlines). See https://develop.sentry.dev/sdk/envelopes/.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


def parse_envelope(body: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """The envelope's items as (item header, payload)."""
    header_line, _, rest = body.partition(b"\n")
    json.loads(header_line)  # the envelope header must parse too
    items: list[tuple[dict[str, Any], bytes]] = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        length = item.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        items.append((item, payload))
    return items


class SentryStandIn:
    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                stand_in.receive(self.path, body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.dsn = f"http://publickey@127.0.0.1:{self.port}/1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def receive(self, path: str, body: bytes) -> None:
        assert path.startswith("/api/1/envelope/"), path
        with self._lock:
            self.raw.append(body)
            for item, payload in parse_envelope(body):
                if item.get("type") == "event":
                    self.events.append(json.loads(payload))

    def wait_for_events(self, count: int, polls: int = 600) -> list[dict[str, Any]]:
        for _ in range(polls):
            with self._lock:
                if len(self.events) >= count:
                    return list(self.events)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} Sentry events, got {len(self.events)}")

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
