"""The edges of a real uvicorn process: an unexpected error is a 500 in the error envelope, with the edge's
headers, on a connection that stays open; a client that sends its body slowly gets 408 and loses the
connection, instead of holding it."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.conftest import KEY
from e2e.server import Server

pytestmark = pytest.mark.e2e


@pytest.fixture
def breakable(tmp_path: Path) -> Iterator[Server]:
    running = Server(
        {
            "CF_SQLITE_PATH": str(tmp_path / "e2e.db"),
            "CF_BOOTSTRAP_ADMIN_KEY": KEY,
            "CF_ENVIRONMENT": "test",
            "E2E_GENERATION_LOG": str(tmp_path / "generations.log"),
            "E2E_CHECK_CRASH": "kaboom",
            "CF_BODY_READ_SECONDS": "1",
        },
        tmp_path / "server.log",
        "e2e.instrumented_app:create_instrumented_app",
    )
    running.start()
    yield running
    running.stop()


def test_a_500_is_in_the_envelope_with_the_edge_headers_and_keeps_the_connection(breakable: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", breakable.port, timeout=30)
    try:
        body = json.dumps({"source_text": "Cells divide. kaboom."})
        headers = {"X-API-Key": KEY, "Content-Type": "application/json", "X-Request-ID": "req-500-check"}
        connection.request("POST", "/v1/jobs", body=body, headers=headers)
        response = connection.getresponse()
        error = json.loads(response.read())
        assert response.status == 500
        assert error["error"]["code"] == "internal_error"
        assert error["error"]["request_id"] == "req-500-check"
        assert "kaboom" not in json.dumps(error) and "Traceback" not in json.dumps(error)
        assert response.getheader("X-Request-ID") == "req-500-check"
        assert response.getheader("Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'"
        assert response.getheader("Connection") != "close"

        connection.request("GET", "/healthz")  # the same connection: the server did not drop it
        again = connection.getresponse()
        again.read()
        assert again.status == 200
    finally:
        connection.close()
    log = breakable.log_path.read_text()
    assert log.count("the admission check broke") >= 1  # logged with its stack, once by the service
    assert "Exception in ASGI application" not in log


def test_a_body_sent_slowly_is_refused_with_408_and_the_connection_closed(breakable: Server) -> None:
    body = json.dumps({"source_text": "Cells divide. " * 20}).encode()
    head = (
        f"POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", breakable.port), timeout=30) as sock:
        sock.sendall(head + body[:10])
        time.sleep(2)  # past CF_BODY_READ_SECONDS, with most of the body still to come
        received = b""
        while chunk := sock.recv(65536):  # the server answers, then closes: recv ends with b""
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout", received[:200]
    envelope = json.loads(rest.split(b"\r\n\r\n", 1)[1])
    assert envelope["error"]["code"] == "request_timeout"
    assert envelope["error"]["details"] == {"limit_seconds": 1.0}
    assert b"x-request-id" in rest.lower()
