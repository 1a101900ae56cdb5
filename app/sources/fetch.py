"""The server-side fetch of a URL a user gives as a source, safe against server-side request forgery (SSRF).

The threat: a user names a URL and this service fetches it from inside the cloud network, where it can reach what
the user cannot — the metadata server (with its credentials), loopback services, private subnets. So a URL is
fetched only when every address its host resolves to is public, and the connection goes to the address that was
checked: the request is sent to the IP itself, with the original host in ``Host`` and as the TLS server name, so
a second DNS answer (DNS rebinding) is never consulted. Redirects are followed by hand, and each target is
checked exactly like the first URL. The whole fetch has one deadline and the body one byte cap, counted while
streaming. Every refusal is a ``SourceRejected`` (a 422) whose code names the rule.

Compression is not asked for (``Accept-Encoding: identity``) and a response that is compressed anyway is refused,
never decoded: a few kilobytes of stacked gzip (``Content-Encoding: gzip, gzip``) decode to gigabytes in one chunk,
before a cap on the decoded bytes can be checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import Message
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import httpx

from app.sources.models import SourceRejected

log = logging.getLogger(__name__)

MAX_URL_LENGTH = 2048
USER_AGENT = "content-factory/0.1 (+source fetch)"
CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "text/x-markdown",
        "text/x-rst",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)

_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Refused by name too: on Google Cloud these resolve to the metadata server, whatever the resolver is told.
_METADATA_NAMES = frozenset({"metadata", "metadata.google.internal"})
_METADATA_ADDRESSES = frozenset({IPv4Address("169.254.169.254"), IPv6Address("fd00:ec2::254")})
_SHARED_ADDRESS_SPACE = IPv4Network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
_NAT64 = IPv6Network("64:ff9b::/96")  # RFC 6052: the low 32 bits are the IPv4 address reached
# A DNS name (RFC 1035 §2.3.4: labels of 1-63 octets, 253 in all), letters, digits, hyphens and the underscores some
# real names carry. Checked before resolving: getaddrinfo raises UnicodeError, not OSError, on an empty or long label.
_LABEL = re.compile(r"[a-z0-9_-]{1,63}", re.IGNORECASE)
_MAX_HOST_LENGTH = 253

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""host, port -> the IP addresses (as strings) to connect to."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    max_bytes: int  # the body's cap, enforced while streaming
    timeout_seconds: float  # the whole fetch, every redirect included
    allow_private: bool = False  # tests only: lets loopback and private addresses through
    max_redirects: int = 5
    content_types: frozenset[str] = CONTENT_TYPES


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # the final URL, after redirects
    data: bytes
    content_type: str  # the media type, lower-case, without parameters
    header: str  # the whole Content-Type header as sent (``text/plain; charset=ISO-8859-1``), for its charset
    filename: str | None  # from Content-Disposition, else the URL's last path segment


async def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, in its order, without repeats."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def blocked_reason(address: IPv4Address | IPv6Address) -> str | None:
    """Why a connection to ``address`` is refused; None for a public address."""
    if address in _METADATA_ADDRESSES:
        return "the cloud metadata server"
    if isinstance(address, IPv6Address):
        # These reach an IPv4 address; judge them by it.
        if address.ipv4_mapped is not None:
            return blocked_reason(address.ipv4_mapped)
        if address in _NAT64:
            return blocked_reason(IPv4Address(int(address) & 0xFFFFFFFF))
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and (reason := blocked_reason(embedded)) is not None:
            return reason
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if isinstance(address, IPv6Address) and address.is_site_local:
        return "site-local"  # fec0::/10, deprecated (RFC 3879) but still routed inside some networks
    if address.is_multicast:
        return "multicast"
    if isinstance(address, IPv4Address) and address in _SHARED_ADDRESS_SPACE:
        return "shared address space"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private network"
    if not address.is_global:
        return "not publicly routable"
    return None


async def fetch_url(
    url: str,
    policy: FetchPolicy,
    *,
    resolver: Resolver = system_resolver,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Fetched:
    """Fetch ``url`` under ``policy``, following redirects; ``SourceRejected`` for every refusal.

    ``transport`` (for tests) stands in for the network; it is closed when the fetch ends.
    """
    current = parse_url(url)
    try:
        async with (
            asyncio.timeout(policy.timeout_seconds),
            httpx.AsyncClient(
                transport=transport, trust_env=False, follow_redirects=False, timeout=policy.timeout_seconds
            ) as client,
        ):
            redirects = 0
            while True:
                addresses = await checked_addresses(current, allow_private=policy.allow_private, resolver=resolver)
                response = await _send(client, current, addresses, policy)
                try:
                    location = response.headers.get("location") if response.status_code in _REDIRECTS else None
                    if location is None:
                        return await _read(current, response, policy)
                finally:
                    await response.aclose()
                if redirects == policy.max_redirects:
                    raise SourceRejected(
                        f"The URL redirected more than {policy.max_redirects} times.",
                        code="url_too_many_redirects",
                        field="url",
                        limit=policy.max_redirects,
                    )
                redirects += 1
                current = parse_url(location, base=current)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise SourceRejected(
            f"Fetching the URL took longer than {policy.timeout_seconds:g} seconds.",
            code="url_timeout",
            field="url",
            limit_seconds=policy.timeout_seconds,
        ) from exc
    except httpx.RequestError as exc:  # the connection broke, or the response broke HTTP (h11's errors included)
        raise SourceRejected(
            f"The server at {current.host} sent no usable response.",
            code="url_unreachable",
            field="url",
            host=current.host,
        ) from exc


def parse_url(raw: str, base: httpx.URL | None = None) -> httpx.URL:
    """``raw`` as a URL (resolved against ``base``, for a redirect's Location) that may be fetched. Webhooks check
    their destinations with it too."""
    try:
        url = httpx.URL(raw.strip()) if base is None else base.join(raw.strip())
        url.host  # noqa: B018 -- decoded lazily, and the A-labels (xn--…) only then: fail here, not in a message
    # InvalidURL: malformed, or over httpx's own 64 KiB limit (never parsed). ValueError: what httpx lets through
    # from below it — UnicodeEncodeError for a lone surrogate, idna.IDNAError for a bad A-label, urllib's "Invalid
    # IPv6 URL" from join.
    except (httpx.InvalidURL, ValueError) as exc:
        raise SourceRejected("The URL is not valid.", code="url_invalid", field="url") from exc
    if len(str(url)) > MAX_URL_LENGTH:
        raise SourceRejected(
            f"The URL is longer than {MAX_URL_LENGTH} characters.",
            code="url_invalid",
            field="url",
            max_length=MAX_URL_LENGTH,
        )
    if url.scheme not in _SCHEMES:
        raise SourceRejected(
            "Only http:// and https:// URLs can be fetched.",
            code="url_scheme",
            field="url",
            scheme=url.scheme,
            allowed=list(_SCHEMES),
        )
    if url.userinfo:
        raise SourceRejected("The URL must not contain a user name or password.", code="url_invalid", field="url")
    if not url.raw_host:
        raise SourceRejected("The URL has no host.", code="url_invalid", field="url")
    if url.port is not None and not 1 <= url.port <= 65535:  # httpx parses any integer; connect() would overflow
        raise SourceRejected(
            "The URL's port must be between 1 and 65535.", code="url_invalid", field="url", port=url.port
        )
    if not _is_host(url.raw_host.decode("ascii")):
        raise SourceRejected("The URL's host is not a valid name.", code="url_invalid", field="url")
    return url


def _is_host(host: str) -> bool:
    """Whether ``host`` (IDNA-encoded, as httpx gives it) is an IP literal or a well-formed DNS name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass  # a name
    else:
        return True
    name = host.removesuffix(".")  # one final dot: the name is fully qualified
    return len(name) <= _MAX_HOST_LENGTH and all(_LABEL.fullmatch(label) for label in name.split("."))


async def checked_addresses(
    url: httpx.URL, *, allow_private: bool = False, resolver: Resolver = system_resolver
) -> list[str]:
    """The addresses to connect to for ``url``'s host (a URL of ``parse_url``), each one checked; the host is
    resolved once, here. Webhook deliveries connect through it too."""
    host = url.raw_host.decode("ascii")  # IDNA-encoded; an IPv6 literal without its brackets
    blocked = SourceRejected(
        f"{url.host} is not a public address; only public web addresses can be fetched.",
        code="url_blocked_address",
        field="url",
        host=url.host,
    )
    if host.rstrip(".").lower() in _METADATA_NAMES:
        raise blocked
    addresses = await _addresses(url, resolver)
    if not allow_private:
        for address in addresses:
            if (reason := blocked_reason(address)) is not None:
                log.info("refused to fetch from %s: %s is %s", host, address, reason)
                raise blocked
    return [str(address) for address in addresses]


async def _addresses(url: httpx.URL, resolver: Resolver) -> list[IPv4Address | IPv6Address]:
    """The host itself when it is an IP literal (never resolved), else what the resolver answers."""
    host = url.raw_host.decode("ascii")
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass  # a name
    not_found = SourceRejected(
        f"The host {url.host} could not be found.", code="url_unreachable", field="url", host=url.host
    )
    try:
        resolved = await resolver(host, url.port or _DEFAULT_PORTS[url.scheme])
    except OSError as exc:
        raise not_found from exc
    except UnicodeError as exc:  # the "idna" codec refused the name; parse_url should have already
        raise SourceRejected("The URL's host is not a valid name.", code="url_invalid", field="url") from exc
    if not resolved:
        raise not_found
    return [ipaddress.ip_address(address) for address in resolved]


async def _send(client: httpx.AsyncClient, url: httpx.URL, addresses: list[str], policy: FetchPolicy) -> httpx.Response:
    """GET ``url`` from the first of ``addresses`` that accepts a connection; the response is streamed."""
    headers = {
        "Host": url.netloc.decode("ascii"),
        "User-Agent": USER_AGENT,
        "Accept": ", ".join(sorted(policy.content_types)),
        "Accept-Encoding": "identity",
    }
    # A Request built here, not with client.build_request, carries no cookie from the client's jar.
    error: httpx.ConnectError | None = None
    for address in addresses:
        request = httpx.Request(
            "GET",
            url.copy_with(host=address),
            headers=headers,
            extensions={"sni_hostname": url.raw_host.decode("ascii")},  # TLS verifies the real name
        )
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError as exc:
            error = exc
        except ValueError as exc:
            # Even when not following redirects httpx parses a redirect's Location (for ``next_request``): one it
            # cannot parse is its RemoteProtocolError, but a bad A-label there is idna's error, raised as it is.
            raise SourceRejected(
                f"The server at {url.host} sent a redirect that cannot be followed.",
                code="url_unreachable",
                field="url",
                host=url.host,
            ) from exc
    raise SourceRejected(
        f"Could not connect to {url.host}.", code="url_unreachable", field="url", host=url.host
    ) from error


async def _read(url: httpx.URL, response: httpx.Response, policy: FetchPolicy) -> Fetched:
    if not response.is_success:
        raise SourceRejected(
            f"The URL answered with HTTP status {response.status_code}.",
            code="url_status",
            field="url",
            status=response.status_code,
        )
    header = response.headers.get("content-type", "")
    content_type = header.split(";", 1)[0].strip().lower()
    if content_type not in policy.content_types:
        raise SourceRejected(
            f"The URL returned {content_type or 'no content type'}, which cannot be used as a source.",
            code="url_content_type",
            field="url",
            content_type=content_type,
            allowed=sorted(policy.content_types),
        )
    encodings = response.headers.get_list("content-encoding", split_commas=True)
    if any(encoding.strip().lower() not in ("", "identity") for encoding in encodings):
        raise SourceRejected(
            "The URL sent a compressed response, which is not accepted; only uncompressed documents can be fetched.",
            code="url_encoding",
            field="url",
            content_encoding=", ".join(encodings),
        )
    too_large = SourceRejected(
        f"The document at the URL is larger than {policy.max_bytes:,} bytes.",
        code="url_too_large",
        field="url",
        limit_bytes=policy.max_bytes,
    )
    length = response.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > policy.max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():  # the check above leaves httpx only its identity decoder
        size += len(chunk)
        if size > policy.max_bytes:
            raise too_large
        chunks.append(chunk)
    return Fetched(
        url=str(url),
        data=b"".join(chunks),
        content_type=content_type,
        header=header,
        filename=_filename(url, response),
    )


def _filename(url: httpx.URL, response: httpx.Response) -> str | None:
    name: str | None = None
    if disposition := response.headers.get("content-disposition"):
        message = Message()
        message["content-disposition"] = disposition
        name = message.get_filename()  # handles quoting and RFC 2231 (filename*=UTF-8''…)
    if not name:
        name = url.path  # percent-decoded by httpx
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    return name if name not in ("", ".", "..") else None
