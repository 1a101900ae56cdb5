"""The URL fetch: refusals that never open a connection, redirects checked hop by hop, and real HTTP on 127.0.0.1
for the limits (size, time, type, status) and the Host header."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from ipaddress import ip_address
from itertools import repeat
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
import pytest

from app.sources.fetch import USER_AGENT, FetchPolicy, blocked_reason, fetch_url, system_resolver
from app.sources.models import SourceRejected
from tests.fixtures.local_http import serve

PUBLIC_IP = "93.184.216.34"
POLICY = FetchPolicy(max_bytes=10_000, timeout_seconds=5)
LOCAL = FetchPolicy(max_bytes=10_000, timeout_seconds=5, allow_private=True)


@dataclass
class FakeResolver:
    """Answers from a table, and records each question."""

    table: dict[str, list[str]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host]


class Recorder(httpx.MockTransport):
    """A transport that records every request it is handed, answering each with a small HTML page."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        super().__init__(self.answer)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<p>hello</p>")


class Listener:
    """A socket listening on 127.0.0.1 that nobody serves: a connection to it waits in the backlog to be counted."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.port: int = self.sock.getsockname()[1]

    def accepted(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


@pytest.fixture
def listener() -> Iterator[Listener]:
    target = Listener()
    try:
        yield target
    finally:
        target.sock.close()


async def rejected(url: str, policy: FetchPolicy = POLICY, **kwargs) -> SourceRejected:
    with pytest.raises(SourceRejected) as info:
        await fetch_url(url, policy, **kwargs)
    assert info.value.status == 422 and info.value.details["field"] == "url"
    return info.value


# Refusals before any connection


BLOCKED = [
    ("http://127.0.0.1:{port}/", {}),
    ("https://127.0.0.1:{port}/", {}),
    ("http://0.0.0.0:{port}/", {}),
    ("http://10.0.0.1/", {}),
    ("http://169.254.169.254/latest/meta-data/", {}),
    ("http://[fd00:ec2::254]/", {}),
    ("http://100.64.0.1/", {}),
    ("http://[::1]:{port}/", {}),
    ("http://[::ffff:127.0.0.1]:{port}/", {}),
    ("http://metadata.google.internal/computeMetadata/v1/", {"metadata.google.internal": [PUBLIC_IP]}),
    ("http://metadata./computeMetadata/v1/", {"metadata": [PUBLIC_IP]}),
    ("http://loopback.example.test:{port}/", {"loopback.example.test": ["127.0.0.1"]}),
    ("http://mixed.example.test:{port}/", {"mixed.example.test": [PUBLIC_IP, "127.0.0.1"]}),
    ("http://mapped.example.test:{port}/", {"mapped.example.test": ["::ffff:127.0.0.1"]}),
]


@pytest.mark.parametrize(("url", "table"), BLOCKED)
async def test_a_private_address_is_refused_without_a_request(url: str, table: dict[str, list[str]]) -> None:
    transport = Recorder()
    error = await rejected(url.format(port=8080), resolver=FakeResolver(table), transport=transport)
    assert error.code == "url_blocked_address"
    assert error.details["host"] == httpx.URL(url.format(port=8080)).host
    for address in [a for addresses in table.values() for a in addresses]:
        assert address not in error.message  # the host is named, what it resolves to is not
    assert transport.requests == []


@pytest.mark.parametrize(
    ("url", "table"),
    [
        ("http://127.0.0.1:{port}/", {}),
        ("http://0.0.0.0:{port}/", {}),
        ("http://[::ffff:127.0.0.1]:{port}/", {}),
        ("http://loopback.example.test:{port}/", {"loopback.example.test": ["127.0.0.1"]}),
        # Loopback first: a fetch that wrongly connected would reach the listener, not the internet.
        ("http://mixed.example.test:{port}/", {"mixed.example.test": ["127.0.0.1", PUBLIC_IP]}),
    ],
)
async def test_no_connection_reaches_a_refused_address(listener: Listener, url: str, table) -> None:
    error = await rejected(url.format(port=listener.port), resolver=FakeResolver(table))
    assert error.code == "url_blocked_address"
    assert listener.accepted() == 0


async def test_localhost_from_the_system_resolver_is_refused(listener: Listener) -> None:
    error = await rejected(f"http://localhost:{listener.port}/")
    assert error.code == "url_blocked_address"
    assert listener.accepted() == 0


async def test_the_listener_counts_a_connection_that_is_made(listener: Listener) -> None:
    # The control for the tests above: with private addresses allowed, the same fetch does connect.
    policy = FetchPolicy(max_bytes=1000, timeout_seconds=0.3, allow_private=True)
    error = await rejected(f"http://127.0.0.1:{listener.port}/", policy)
    assert error.code == "url_timeout"
    assert listener.accepted() == 1


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x", "data:text/plain,hi", "example.com/page"]
)
async def test_only_http_and_https_are_fetched(url: str) -> None:
    transport, resolver = Recorder(), FakeResolver()
    error = await rejected(url, resolver=resolver, transport=transport)
    assert error.code == "url_scheme"
    assert error.details["allowed"] == ["http", "https"]
    assert transport.requests == [] and resolver.asked == []


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@docs.example.test/",
        "http://user@docs.example.test/",
        "http:///no-host",
        "http://docs.example.test/" + "a" * 2048,
        "http://0177.0.0.1/",
    ],
)
async def test_a_malformed_url_is_refused(url: str) -> None:
    transport, resolver = Recorder(), FakeResolver({"docs.example.test": [PUBLIC_IP]})
    error = await rejected(url, resolver=resolver, transport=transport)
    assert error.code == "url_invalid"
    assert transport.requests == [] and resolver.asked == []


@pytest.mark.parametrize(
    "url",
    [
        "http://a..b/",  # an empty label: getaddrinfo's "idna" codec raises UnicodeError, not OSError
        "http://./",
        "http://../",
        "http://" + "a" * 64 + ".example.test/",  # a label over 63 characters: UnicodeError too
        "http://" + "a" * 63 + ("." + "a" * 63) * 3 + ".test/",  # a name over 253 characters
        "http://xn--/",  # an A-label with nothing after its prefix: idna.IDNAError when httpx decodes it
        "http://xn--a/",
        "http://a%20b.example.test/",
    ],
)
async def test_a_host_that_is_not_a_valid_name_is_refused(url: str) -> None:
    transport, resolver = Recorder(), FakeResolver({httpx.URL(url).raw_host.decode(): [PUBLIC_IP]})
    error = await rejected(url, resolver=resolver, transport=transport)
    assert error.code == "url_invalid"
    assert transport.requests == [] and resolver.asked == []


@pytest.mark.parametrize(
    "url",
    [
        "http://" + "a" * 63 + ".example.test/",
        "http://" + ("a" * 62 + ".") * 3 + "a" * 59 + ".test/",  # 253 characters
        "http://docs.example.test./",
        "http://_dmarc.example.test/",
        "http://xn--bcher-kva.example.test/",
        "http://bücher.example.test/",
    ],
)
async def test_a_well_formed_name_at_the_limits_is_resolved(url: str) -> None:
    transport = Recorder()
    resolver = FakeResolver({httpx.URL(url).raw_host.decode(): [PUBLIC_IP]})
    await fetch_url(url, POLICY, resolver=resolver, transport=transport)
    assert len(transport.requests) == 1


async def test_a_name_the_resolver_cannot_encode_is_invalid() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        raise UnicodeError("encoding with 'idna' codec failed (UnicodeError: label empty or too long)")

    error = await rejected("http://docs.example.test/", resolver=resolver, transport=Recorder())
    assert error.code == "url_invalid"


@pytest.mark.parametrize(
    "url", [f"http://{PUBLIC_IP}:99999/", f"http://{PUBLIC_IP}:65536/", "http://[::1]:70000/", f"http://{PUBLIC_IP}:0/"]
)
async def test_a_port_outside_the_range_is_refused(url: str) -> None:
    transport = Recorder()
    error = await rejected(url, transport=transport)
    assert error.code == "url_invalid" and error.details["port"] == httpx.URL(url).port
    assert transport.requests == []


async def test_a_port_outside_the_range_is_refused_over_the_real_transport() -> None:
    # Without the check, connect() raises OverflowError inside an ExceptionGroup: a 500, not a refusal.
    error = await rejected(f"http://{PUBLIC_IP}:99999/")
    assert error.code == "url_invalid"


# Input a user can type that the parsers below httpx choke on: each is a refusal, never another exception.
ODD_URLS = [
    "http://docs.example.test/\ud800",  # a lone surrogate, which JSON can carry: UnicodeEncodeError
    "http://\ud800/",
    "http:////]x:09",  # urllib's "Invalid IPv6 URL" (a ValueError) when joined
    "http://[::1/",
    "http://[v1.x]/",
    "http://\x00/",
    "http://docs.example.test:-1/",
    "http://docs.example.test:99999999999999999999/",
    "http://docs.example.test:port/",
    "http://\u2100/",
    "http://\uff0e/",
]


@pytest.mark.parametrize("url", ODD_URLS)
async def test_an_odd_url_is_refused(url: str) -> None:
    transport, resolver = Recorder(), FakeResolver({"docs.example.test": [PUBLIC_IP]})
    error = await rejected(url, resolver=resolver, transport=transport)
    assert error.code in ("url_invalid", "url_scheme")
    assert transport.requests == []


@pytest.mark.parametrize(
    ("location", "code"),
    [
        # Read by httpx, refused by the same checks as a first URL.
        ("http:////]x:09", "url_invalid"),
        ("http://docs.example.test:-1/", "url_invalid"),
        ("http://docs.example.test:99999999999999999999/", "url_invalid"),
        (f"http://{PUBLIC_IP}:99999/", "url_invalid"),
        ("http://a..b/", "url_invalid"),
        # httpx parses a Location even when not following it, and cannot: the server sent no usable response.
        ("http://[::1/", "url_unreachable"),
        ("http://[v1.x]/", "url_unreachable"),
        ("http://\x00/", "url_unreachable"),
        ("http://docs.example.test:port/", "url_unreachable"),
        ("http://\u2100/", "url_unreachable"),
        ("http://xn--/", "url_unreachable"),  # idna.IDNAError, from inside httpx
        ("http://xn--a/", "url_unreachable"),
    ],
)
async def test_an_odd_redirect_is_refused(location: str, code: str) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers=[(b"Location", location.encode())])

    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    error = await rejected("http://docs.example.test/", resolver=resolver, transport=httpx.MockTransport(answer))
    assert error.code == code
    assert len(seen) == 1


async def test_the_length_limit_is_named() -> None:
    error = await rejected("http://docs.example.test/" + "a" * 2048)
    assert "2048" in error.message and error.details["max_length"] == 2048


@pytest.mark.parametrize("answer", [socket.gaierror(socket.EAI_NONAME, "unknown"), []])
async def test_a_host_that_does_not_resolve_is_unreachable(answer: OSError | list[str]) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        if isinstance(answer, OSError):
            raise answer
        return answer

    error = await rejected("http://nowhere.example.test/", resolver=resolver, transport=Recorder())
    assert error.code == "url_unreachable" and error.details["host"] == "nowhere.example.test"


# Where the connection goes


async def test_the_request_goes_to_the_checked_address_with_the_original_host() -> None:
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])  # a second question would be answered with loopback

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    transport = Recorder()
    fetched = await fetch_url("https://docs.example.test/guide", POLICY, resolver=rebinding, transport=transport)
    [request] = transport.requests
    assert request.url == httpx.URL(f"https://{PUBLIC_IP}/guide")
    assert request.headers["host"] == "docs.example.test"
    assert request.extensions["sni_hostname"] == "docs.example.test"
    assert fetched.url == "https://docs.example.test/guide"


async def test_an_ipv6_address_is_connected_to_in_brackets() -> None:
    transport = Recorder()
    resolver = FakeResolver({"docs.example.test": ["2606:2800:220:1:248:1893:25c8:1946"]})
    await fetch_url("http://docs.example.test:8080/", POLICY, resolver=resolver, transport=transport)
    [request] = transport.requests
    assert request.url == httpx.URL("http://[2606:2800:220:1:248:1893:25c8:1946]:8080/")
    assert request.headers["host"] == "docs.example.test:8080"


async def test_the_next_address_is_tried_when_one_does_not_connect() -> None:
    tried: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        tried.append(request.url.host)
        if request.url.host == PUBLIC_IP:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, headers={"Content-Type": "text/plain"}, content=b"hi")

    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP, "93.184.216.35"]})
    fetched = await fetch_url(
        "http://docs.example.test/", POLICY, resolver=resolver, transport=httpx.MockTransport(answer)
    )
    assert tried == [PUBLIC_IP, "93.184.216.35"] and fetched.data == b"hi"


async def test_headers_are_plain_and_cookies_are_never_sent() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/login":
            return httpx.Response(302, headers={"Location": "/page", "Set-Cookie": "session=abc; Path=/"})
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<p>page</p>")

    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    await fetch_url("http://docs.example.test/login", POLICY, resolver=resolver, transport=httpx.MockTransport(answer))
    assert [r.url.path for r in seen] == ["/login", "/page"]
    for request in seen:
        assert request.headers["user-agent"] == USER_AGENT
        assert "text/html" in request.headers["accept"]
        assert request.headers["host"] == "docs.example.test"
        assert "cookie" not in request.headers and "authorization" not in request.headers


# Redirects, checked hop by hop


class PublicHop(httpx.AsyncBaseTransport):
    """Answers requests for PUBLIC_IP with a redirect; sends any other request over the real network."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.network = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC_IP:
            return httpx.Response(302, headers={"Location": self.location})
        return await self.network.handle_async_request(request)

    async def aclose(self) -> None:
        await self.network.aclose()


async def test_a_redirect_to_loopback_is_refused_before_connecting(site: type[Site]) -> None:
    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    transport = PublicHop(f"{site.base}/page")
    error = await rejected("http://docs.example.test/", resolver=resolver, transport=transport)
    assert error.code == "url_blocked_address" and error.details["host"] == "127.0.0.1"
    assert site.paths() == []


async def test_the_same_redirect_reaches_loopback_when_private_addresses_are_allowed(site: type[Site]) -> None:
    # The control for the test above: the transport does reach the loopback server when the address may be used.
    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    transport = PublicHop(f"{site.base}/page")
    fetched = await fetch_url("http://docs.example.test/", LOCAL, resolver=resolver, transport=transport)
    assert fetched.url == f"{site.base}/page"
    assert site.paths() == ["/page"]


@pytest.mark.parametrize(
    ("location", "code"),
    [
        ("file:///etc/passwd", "url_scheme"),
        ("http://169.254.169.254/latest/meta-data/", "url_blocked_address"),
        ("http://[::1]/", "url_blocked_address"),
        ("http://inside.example.test/", "url_blocked_address"),
        ("http://user:pw@docs.example.test/", "url_invalid"),
        ("http://docs.example.test:99999/", "url_invalid"),
        ("http://a..b/", "url_invalid"),
    ],
)
async def test_every_redirect_is_checked_like_the_first_url(location: str, code: str) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": location})

    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP], "inside.example.test": ["10.1.2.3"]})
    error = await rejected("http://docs.example.test/", resolver=resolver, transport=httpx.MockTransport(answer))
    assert error.code == code
    assert [r.url.host for r in seen] == [PUBLIC_IP]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_each_redirect_status_is_followed(status: int) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/a/old":
            return httpx.Response(status, headers={"Location": "new"})
        return httpx.Response(200, headers={"Content-Type": "text/plain"}, content=b"moved")

    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    fetched = await fetch_url(
        "http://docs.example.test/a/old", POLICY, resolver=resolver, transport=httpx.MockTransport(answer)
    )
    assert fetched.url == "http://docs.example.test/a/new" and fetched.data == b"moved"


async def test_a_redirect_without_a_location_is_a_status_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(302))
    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    error = await rejected("http://docs.example.test/", resolver=resolver, transport=transport)
    assert error.code == "url_status" and error.details["status"] == 302


# What the response may be


class CountedBody(httpx.AsyncByteStream):
    """A body served in small parts, counting the bytes the client takes."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), 256):
            part = self.body[start : start + 256]
            self.sent += len(part)
            yield part


def gzipped(parts: Iterable[bytes]) -> bytes:
    packer = zlib.compressobj(wbits=31)  # 31: the gzip container
    return b"".join([*(packer.compress(part) for part in parts), packer.flush()])


async def test_a_stacked_gzip_body_is_refused_unread() -> None:
    # 64 MiB of zeros, gzipped twice: a few hundred bytes that httpx would decode whole, in one chunk.
    bomb = gzipped([gzipped(repeat(bytes(1 << 20), 64))])
    assert len(bomb) < 2_000
    body = CountedBody(bomb)
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"Content-Type": "text/plain", "Content-Encoding": "gzip, gzip"}, stream=body
        )
    )
    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    error = await rejected("http://docs.example.test/", resolver=resolver, transport=transport)
    assert error.code == "url_encoding" and error.details["content_encoding"] == "gzip, gzip"
    assert body.sent == 0


@pytest.mark.parametrize("encoding", ["gzip", "GZip", "deflate", "br", "zstd", "x-unknown", "identity, gzip"])
async def test_a_compressed_response_is_refused(encoding: str) -> None:
    body = CountedBody(gzipped([b"hello"]))

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept-encoding"] == "identity"
        return httpx.Response(200, headers={"Content-Type": "text/plain", "Content-Encoding": encoding}, stream=body)

    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    error = await rejected("http://docs.example.test/", resolver=resolver, transport=httpx.MockTransport(answer))
    assert error.code == "url_encoding" and error.details["content_encoding"] == encoding
    assert body.sent == 0


@pytest.mark.parametrize("encoding", ["identity", "Identity", ""])
async def test_an_identity_encoding_is_read(encoding: str) -> None:
    headers = {"Content-Type": "text/plain", "Content-Encoding": encoding}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=headers, content=b"plain"))
    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    fetched = await fetch_url("http://docs.example.test/", POLICY, resolver=resolver, transport=transport)
    assert fetched.data == b"plain"


async def test_the_whole_content_type_header_is_kept() -> None:
    headers = {"Content-Type": "Text/Plain; charset=ISO-8859-1"}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=headers, content=b"caf\xe9"))
    resolver = FakeResolver({"docs.example.test": [PUBLIC_IP]})
    fetched = await fetch_url("http://docs.example.test/", POLICY, resolver=resolver, transport=transport)
    assert fetched.content_type == "text/plain"
    assert fetched.header == "Text/Plain; charset=ISO-8859-1"
    assert fetched.data == b"caf\xe9"


@pytest.mark.parametrize(
    "reply",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \xb2\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: gzip\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nshort",  # then closes
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
        b"",
    ],
)
async def test_a_response_that_breaks_http_is_unreachable(reply: bytes) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        error = await rejected(f"http://127.0.0.1:{port}/", LOCAL)
    assert error.code == "url_unreachable" and error.details["host"] == "127.0.0.1"


# Real HTTP on 127.0.0.1


class Site(BaseHTTPRequestHandler):
    """The pages the real-HTTP tests fetch. Handlers that stall wait on ``release``, set when the test ends."""

    protocol_version = "HTTP/1.1"
    base: ClassVar[str]
    seen: ClassVar[list[tuple[str, str]]]  # (path, Host header)
    release: ClassVar[threading.Event]

    @classmethod
    def paths(cls) -> list[str]:
        return [path for path, _ in cls.seen]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.seen.append((path, self.headers["Host"]))
        if path == "/page":
            self.reply(200, "Text/HTML; charset=utf-8", b"<html><body><p>Hello</p></body></html>")
        elif path.startswith("/hop/"):
            left = int(path.removeprefix("/hop/"))
            self.reply(302, "text/plain", b"", Location=f"/hop/{left - 1}" if left > 1 else "/page")
        elif path == "/host":
            self.reply(200, "text/plain", self.headers["Host"].encode())
        elif path == "/report":
            self.reply(
                200, "application/pdf", b"%PDF-1.4", **{"Content-Disposition": 'attachment; filename="report.pdf"'}
            )
        elif path == "/docs/guide.md":
            self.reply(200, "text/markdown", b"# Guide")
        elif path == "/gzip":
            self.reply(200, "text/plain", gzipped([b"hello"]), **{"Content-Encoding": "gzip"})
        elif path == "/json":
            self.reply(200, "application/json", b"{}")
        elif path == "/big":  # announces 10 MB, sends 1 KiB, stalls: reading it would run into the timeout
            self.head(200, "text/plain", **{"Content-Length": "10000000"})
            self.wfile.write(b"x" * 1024)
            self.wfile.flush()
            self.release.wait(10)
        elif path == "/chunks":
            self.head(200, "text/plain", **{"Transfer-Encoding": "chunked"})
            self.stream([b"one ", b"two ", b"three"])
        elif path == "/endless":  # chunked, no length, never ends: only a cap counted while streaming stops it
            self.head(200, "text/plain", **{"Transfer-Encoding": "chunked"})
            self.stream(repeat(b"x" * 1024))
        elif path == "/drip":  # 10 bytes every 50 ms, forever: each read is quick, the whole never ends
            self.head(200, "text/plain", **{"Transfer-Encoding": "chunked"})
            self.stream(repeat(b"x" * 10), pause=0.05)
        elif path == "/slow":
            if not self.release.wait(10):
                self.reply(200, "text/plain", b"late")
        else:
            self.reply(404, "text/html", b"<p>not found</p>")

    def head(self, status: int, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def reply(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self.head(status, content_type, **{"Content-Length": str(len(body)), **headers})
        self.wfile.write(body)

    def stream(self, parts: Iterable[bytes], pause: float = 0) -> None:
        """The parts as a chunked body, until they end, the client goes away or the test ends."""
        try:
            for part in parts:
                if self.release.is_set():
                    return
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                self.wfile.flush()
                time.sleep(pause)
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client stopped reading, as it should


@pytest.fixture
def site() -> Iterator[type[Site]]:
    class ThisSite(Site):
        seen: ClassVar[list[tuple[str, str]]] = []
        release: ClassVar[threading.Event] = threading.Event()

    with serve(ThisSite) as base:
        ThisSite.base = base
        try:
            yield ThisSite
        finally:
            ThisSite.release.set()


async def test_a_page_is_fetched(site: type[Site]) -> None:
    fetched = await fetch_url(f"{site.base}/page", LOCAL)
    assert fetched.data == b"<html><body><p>Hello</p></body></html>"
    assert fetched.content_type == "text/html" and fetched.header == "Text/HTML; charset=utf-8"
    assert fetched.url == f"{site.base}/page" and fetched.filename == "page"


async def test_the_host_header_is_the_original_host(site: type[Site]) -> None:
    port = httpx.URL(site.base).port
    resolver = FakeResolver({"docs.example.test": ["127.0.0.1"]})
    fetched = await fetch_url(f"http://docs.example.test:{port}/hop/1", LOCAL, resolver=resolver)
    assert fetched.url == f"http://docs.example.test:{port}/page"
    assert site.seen == [("/hop/1", f"docs.example.test:{port}"), ("/page", f"docs.example.test:{port}")]
    assert resolver.asked == ["docs.example.test", "docs.example.test"]  # once per hop, never again


@pytest.mark.parametrize("hops", [2, 5])
async def test_a_redirect_chain_is_followed(site: type[Site], hops: int) -> None:
    fetched = await fetch_url(f"{site.base}/hop/{hops}", LOCAL)
    assert fetched.url == f"{site.base}/page"
    assert len(site.seen) == hops + 1


async def test_too_many_redirects_are_refused(site: type[Site]) -> None:
    error = await rejected(f"{site.base}/hop/6", LOCAL)
    assert error.code == "url_too_many_redirects" and error.details["limit"] == 5
    assert "5" in error.message
    assert site.paths() == [f"/hop/{n}" for n in range(6, 0, -1)]  # the sixth redirect is not followed


@pytest.mark.parametrize("path", ["/big", "/endless"])
async def test_a_body_over_the_cap_is_refused(site: type[Site], path: str) -> None:
    error = await rejected(f"{site.base}{path}", LOCAL)
    assert error.code == "url_too_large" and error.details["limit_bytes"] == 10_000
    assert "10,000 bytes" in error.message


async def test_a_chunked_body_under_the_cap_is_read_whole(site: type[Site]) -> None:
    fetched = await fetch_url(f"{site.base}/chunks", LOCAL)
    assert fetched.data == b"one two three"


@pytest.mark.parametrize("path", ["/slow", "/drip"])
async def test_the_whole_fetch_has_one_deadline(site: type[Site], path: str) -> None:
    policy = FetchPolicy(max_bytes=10_000, timeout_seconds=0.5, allow_private=True)
    error = await rejected(f"{site.base}{path}", policy)
    assert error.code == "url_timeout" and error.details["limit_seconds"] == 0.5


async def test_a_content_type_outside_the_allow_list_is_refused(site: type[Site]) -> None:
    error = await rejected(f"{site.base}/json", LOCAL)
    assert error.code == "url_content_type" and error.details["content_type"] == "application/json"
    assert "text/html" in error.details["allowed"]


async def test_a_compressed_response_over_http_is_refused(site: type[Site]) -> None:
    error = await rejected(f"{site.base}/gzip", LOCAL)
    assert error.code == "url_encoding" and error.details["content_encoding"] == "gzip"


async def test_a_missing_page_is_a_status_error(site: type[Site]) -> None:
    error = await rejected(f"{site.base}/nothing-here", LOCAL)
    assert error.code == "url_status" and error.details["status"] == 404


@pytest.mark.parametrize(
    ("path", "filename", "content_type"),
    [("/report", "report.pdf", "application/pdf"), ("/docs/guide.md", "guide.md", "text/markdown")],
)
async def test_the_filename_comes_from_the_response_or_the_path(
    site: type[Site], path: str, filename: str, content_type: str
) -> None:
    fetched = await fetch_url(f"{site.base}{path}", LOCAL)
    assert fetched.filename == filename and fetched.content_type == content_type


async def test_a_closed_port_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = await rejected(f"http://127.0.0.1:{port}/", LOCAL)
    assert error.code == "url_unreachable"


async def test_the_system_resolver_answers_addresses() -> None:
    assert await system_resolver("127.0.0.1", 80) == ["127.0.0.1"]
    assert {"127.0.0.1", "::1"} & set(await system_resolver("localhost", 80))


# Which addresses are refused


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("1.1.1.1", None),
        (PUBLIC_IP, None),
        ("2001:4860:4860::8888", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),  # IPv4-mapped: judged by the IPv4 address
        ("64:ff9b::808:808", None),  # NAT64: likewise
        ("127.0.0.1", "loopback"),
        ("127.1.2.3", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("10.0.0.1", "private network"),
        ("172.16.5.4", "private network"),
        ("192.168.1.1", "private network"),
        ("fc00::1", "private network"),
        ("fd12:3456::1", "private network"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fec0::1", "site-local"),  # deprecated site-local fec0::/10, which ipaddress counts as global
        ("feff:ffff::1", "site-local"),
        ("169.254.169.254", "the cloud metadata server"),
        ("fd00:ec2::254", "the cloud metadata server"),
        ("::ffff:169.254.169.254", "the cloud metadata server"),
        ("100.64.0.1", "shared address space"),
        ("100.127.255.254", "shared address space"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::127.0.0.1", "reserved"),  # the deprecated IPv4-compatible form
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private network"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),  # 6to4 around 127.0.0.1
        ("2002:a00:1::", "private network"),  # 6to4 around 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private network"),  # Teredo, client 10.0.0.1
        ("192.0.2.1", "private network"),  # documentation range: not routable
        ("2001:db8::1", "private network"),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(ip_address(address)) == reason
