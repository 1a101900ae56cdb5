"""Which address a request is counted against: the socket, or X-Forwarded-For counted from the right."""

from __future__ import annotations

from typing import Any

import pytest

from app.limits.client_ip import client_ip


def scope(peer: str | None = "10.0.0.7", *forwarded: str) -> dict[str, Any]:
    return {
        "client": (peer, 5000) if peer else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("request_scope", "hops", "expected"),
    [
        (scope("10.0.0.7"), 0, "10.0.0.7"),
        (scope("10.0.0.7", "203.0.113.9"), 0, "10.0.0.7"),  # no trusted proxy: the header is the client's words
        (scope("10.0.0.7", "198.51.100.1, 203.0.113.9"), 1, "203.0.113.9"),  # what the one proxy saw
        (scope("10.0.0.7", "198.51.100.1", "203.0.113.9"), 1, "203.0.113.9"),  # repeated headers join in order
        (scope("10.0.0.7", "forged, 198.51.100.1, 203.0.113.9"), 2, "198.51.100.1"),
        (scope("10.0.0.7"), 1, "10.0.0.7"),  # no header: the peer
        (scope("10.0.0.7", "203.0.113.9"), 2, "10.0.0.7"),  # fewer entries than proxies: not believed
        (scope("10.0.0.7", "not-an-ip"), 1, "10.0.0.7"),
        (scope("2001:db8:1:2:3:4:5:6"), 0, "2001:db8:1:2::/64"),  # one subscriber's block
        (scope("10.0.0.7", "2001:db8:1:2::99"), 1, "2001:db8:1:2::/64"),
        (scope("::ffff:192.0.2.5"), 0, "192.0.2.5"),
        (scope(None), 0, "unknown"),
    ],
)
def test_client_ip(request_scope: dict[str, Any], hops: int, expected: str) -> None:
    assert client_ip(request_scope, hops) == expected


def test_a_client_cannot_choose_its_address_by_prepending_entries() -> None:
    real = client_ip(scope("10.0.0.7", "203.0.113.9"), 1)
    for forged in ("1.2.3.4", "1.2.3.4, 5.6.7.8", "203.0.113.10"):
        assert client_ip(scope("10.0.0.7", f"{forged}, 203.0.113.9"), 1) == real
