"""Rate limits shared through Redis by two uvicorn processes: the 11th generation request of a minute from one
IP is refused whichever process it reaches, forged X-Forwarded-For entries included, and so is the 101st of an
hour for one key arriving from many IPs."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from e2e.server import Server
from tests.fixtures.services import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.services]

TEXT = (Path(__file__).resolve().parents[1] / "fixtures" / "texts" / "photosynthesis.txt").read_text()
JOB = {"source_text": TEXT, "artifacts": ["outline"]}


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:  # its own: these tests count from zero
        yield server


@pytest.fixture
def pair(tmp_path: Path, redis: RedisServer) -> Iterator[tuple[list[Server], str]]:
    key = "cf_" + secrets.token_urlsafe(32)
    servers = []
    try:
        for n in range(2):
            server = Server(
                {
                    "CF_ENVIRONMENT": "test",
                    "CF_SQLITE_PATH": str(tmp_path / f"process-{n}.db"),
                    "CF_BOOTSTRAP_ADMIN_KEY": key,
                    "CF_RATE_LIMIT_STORAGE": "redis",
                    "CF_REDIS_URL": redis.url,
                    "CF_RATE_LIMIT_PER_IP": "10/minute",
                    "CF_RATE_LIMIT_PER_KEY": "100/hour",
                    "CF_TRUSTED_PROXY_HOPS": "1",  # as on Cloud Run: the front end appends the client's address
                    # uvicorn itself rewrites the client address from X-Forwarded-For for loopback peers unless
                    # told to trust nobody; the app reads the header itself (CF_TRUSTED_PROXY_HOPS).
                    "FORWARDED_ALLOW_IPS": "",
                },
                tmp_path / f"process-{n}.log",
            )
            server.start()
            servers.append(server)
        yield servers, key
    finally:
        for server in servers:
            server.stop()


def post(server: Server, key: str, forwarded_for: str) -> httpx.Response:
    headers = {"X-API-Key": key, "Idempotency-Key": "one-job", "X-Forwarded-For": forwarded_for}
    return httpx.post(f"{server.url}/v1/jobs", json=JOB, headers=headers, timeout=30)


def test_the_eleventh_request_from_one_ip_is_refused_across_processes(pair: tuple[list[Server], str]) -> None:
    servers, key = pair
    client = "203.0.113.77"  # what the trusted proxy saw; everything left of it is the client's own words
    for n in range(10):
        response = post(servers[n % 2], key, f"198.51.100.{n}, {client}")
        assert response.status_code in (200, 202), response.text
    for server in servers:
        refused = post(server, key, f"10.9.8.7, {client}")
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["x-ratelimit-limit"] == "10" and refused.headers["x-ratelimit-remaining"] == "0"
    assert post(servers[0], key, "203.0.113.78").status_code in (200, 202)  # another client is not affected


def test_the_hundred_and_first_request_of_one_key_is_refused_from_many_ips(pair: tuple[list[Server], str]) -> None:
    servers, key = pair
    for n in range(100):
        response = post(servers[n % 2], key, f"192.0.2.{n}")
        assert response.status_code in (200, 202), (n, response.text)
    refused = post(servers[1], key, "192.0.2.200")
    assert refused.status_code == 429, refused.text
    assert refused.headers["x-ratelimit-limit"] == "100" and int(refused.headers["retry-after"]) >= 1
    reads = httpx.get(f"{servers[0].url}/v1/jobs", headers={"X-API-Key": key}, timeout=30)
    assert reads.status_code == 200  # reads are counted apart
