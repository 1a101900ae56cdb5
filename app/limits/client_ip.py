"""The address a request is counted against for per-IP rate limits.

The socket's peer, unless the service sits behind ``CF_TRUSTED_PROXY_HOPS`` proxies that each append the address
they saw to ``X-Forwarded-For``: then the entry that many places from the right, the one the outermost trusted
proxy wrote. Entries further left were written by the client and are never believed, so a client cannot pick
its own address. IPv6 clients are counted per /64, the block one subscriber usually holds.
"""

from __future__ import annotations

import ipaddress

from starlette.types import Scope

UNKNOWN = "unknown"


def client_ip(scope: Scope, trusted_hops: int) -> str:
    peer = scope.get("client")
    address = str(peer[0]) if peer else UNKNOWN
    if trusted_hops > 0:
        forwarded = [
            entry.strip()
            for name, value in scope.get("headers", [])
            if name == b"x-forwarded-for"
            for entry in value.decode("latin-1").split(",")
            if entry.strip()
        ]
        if len(forwarded) >= trusted_hops:
            address = forwarded[-trusted_hops]
    return _bucket(address) or _bucket(str(peer[0]) if peer else UNKNOWN) or UNKNOWN


def _bucket(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
