"""Rate limits over the API (counters in process memory): per IP and per key on generation, per key on reads,
the X-RateLimit-* headers, 429 with Retry-After and the envelope, and what happens when the counters are down."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.fixtures.app import ADMIN_KEY, MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator

SOURCE = "Mitochondria produce energy for the cell through respiration."
JOB = {"source_text": SOURCE, "artifacts": ["faq"]}
ROOMY = "100000/minute"


async def api(make_settings: MakeSettings, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    limits = {"rate_limit_per_ip": ROOMY, "rate_limit_per_key": ROOMY, "rate_limit_reads": ROOMY, **settings}
    async for client in open_client(create_app(make_settings(**limits), generator=FakeGenerator())):
        yield client


async def post_job(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    # One Idempotency-Key: every request after the first replays the same job, so only the limiter varies.
    return await client.post("/v1/jobs", json=JOB, headers={"Idempotency-Key": "same-job", **headers})


def assert_refused(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and error["request_id"]
    assert error["details"]["limit"] == limit
    assert 1 <= int(response.headers["retry-after"]) <= 3600
    assert response.headers["x-ratelimit-limit"] == str(limit)
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert int(response.headers["x-ratelimit-reset"]) > 1_700_000_000  # epoch seconds


async def test_the_eleventh_generation_request_in_a_minute_from_one_ip_is_refused(make_settings: MakeSettings) -> None:
    async for client in api(make_settings, rate_limit_per_ip="10/minute"):
        remaining = []
        for _ in range(10):
            response = await post_job(client)
            assert response.status_code in (200, 202), response.text
            assert response.headers["x-ratelimit-limit"] == "10"
            remaining.append(int(response.headers["x-ratelimit-remaining"]))
        assert remaining == list(range(9, -1, -1))
        assert_refused(await post_job(client), 10)
        retry = await client.post("/v1/jobs/job_missing/retry")  # retry generates too: the same window
        assert_refused(retry, 10)
        assert (await client.get("/v1/jobs")).status_code == 200  # reads have their own limit


async def test_a_forged_forwarded_for_does_not_reset_the_limit(make_settings: MakeSettings) -> None:
    async for client in api(make_settings, rate_limit_per_ip="10/minute"):  # no trusted proxy
        for n in range(10):
            assert (await post_job(client, **{"X-Forwarded-For": f"198.51.100.{n}"})).status_code in (200, 202)
        assert_refused(await post_job(client, **{"X-Forwarded-For": "198.51.100.200"}), 10)
    async for client in api(make_settings, rate_limit_per_ip="10/minute", trusted_proxy_hops=1):
        for n in range(10):  # behind one proxy, which appends the address it saw
            forged = {"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.5"}
            assert (await post_job(client, **forged)).status_code in (200, 202)
        assert_refused(await post_job(client, **{"X-Forwarded-For": "1.1.1.1, 8.8.8.8, 203.0.113.5"}), 10)
        other = await post_job(client, **{"X-Forwarded-For": "203.0.113.6"})
        assert other.status_code in (200, 202)


async def test_the_hundred_and_first_in_an_hour_for_one_key_is_refused_from_many_ips(
    make_settings: MakeSettings,
) -> None:
    async for client in api(
        make_settings, rate_limit_per_ip="10/minute", rate_limit_per_key="100/hour", trusted_proxy_hops=1
    ):
        for n in range(100):
            response = await post_job(client, **{"X-Forwarded-For": f"203.0.113.{n}"})
            assert response.status_code in (200, 202), (n, response.text)
        assert_refused(await post_job(client, **{"X-Forwarded-For": "203.0.113.250"}), 100)
        other = (await client.post("/v1/admin/keys", json={"owner": "other", "name": "k"})).json()["key"]
        fresh = await post_job(client, **{"X-Forwarded-For": "203.0.113.251", "X-API-Key": other})
        assert fresh.status_code in (200, 202)


async def test_a_key_with_its_own_rate_limit_and_reads_counted_apart(make_settings: MakeSettings) -> None:
    async for client in api(make_settings, rate_limit_reads="5/minute"):
        created = await client.post("/v1/admin/keys", json={"owner": "slow", "name": "k", "rate_limit": "3/hour"})
        key = {"X-API-Key": created.json()["key"]}
        for _ in range(3):
            assert (await post_job(client, **key)).status_code in (200, 202)
        assert_refused(await post_job(client, **key), 3)
        for _ in range(5):
            assert (await client.get("/v1/jobs", headers=key)).status_code == 200
        assert_refused(await client.get("/v1/jobs", headers=key), 5)
        assert (await client.get("/v1/jobs")).status_code in (200, 429)  # the admin key has its own window


async def test_the_ip_limit_counts_requests_before_they_authenticate(make_settings: MakeSettings) -> None:
    async for client in api(make_settings, rate_limit_per_ip="10/minute"):
        for _ in range(10):
            assert (await post_job(client, **{"X-API-Key": "cf_guessed"})).status_code == 401
        assert_refused(await post_job(client, **{"X-API-Key": ADMIN_KEY}), 10)


@pytest.mark.parametrize("mode", ["allow", "deny"])
async def test_when_the_counters_are_down_the_setting_decides(
    make_settings: MakeSettings, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    down = {"rate_limit_storage": "redis", "redis_url": "redis://127.0.0.1:9/0", "rate_limit_on_storage_error": mode}
    async for client in api(make_settings, **down):
        with caplog.at_level(logging.WARNING, logger="app.limits.rate"):
            response = await post_job(client)
            again = await client.get("/v1/jobs")
        if mode == "allow":
            assert response.status_code == 202 and again.status_code == 200
            assert "x-ratelimit-limit" not in response.headers
            assert "rate-limit counters unavailable" in caplog.text  # logged once, not per request
            assert caplog.text.count("rate-limit counters unavailable") == 1
        else:
            assert response.status_code == 503 and again.status_code == 503
            assert response.json()["error"]["code"] == "rate_limits_unavailable"
            assert "retry-after" in response.headers
