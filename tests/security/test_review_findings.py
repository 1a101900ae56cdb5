"""Regression tests for the outside security review's findings (``SECURITY.md``), one or more per finding."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from app.auth.keys import new_key
from app.config import API_KEY_FORM, Settings
from app.main import create_app
from tests.fixtures.app import ADMIN_KEY, MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.oidc import SigningKey, certs_server
from tests.fixtures.services import free_port

REPO = Path(__file__).resolve().parents[2]
PROJECT = "demo-cf-review"
PEPPER = "a-production-pepper-of-some-length"


# Finding 3: weak bootstrap keys.


def test_production_refuses_a_bootstrap_key_this_service_would_not_issue() -> None:
    with pytest.raises(ValidationError, match="CF_BOOTSTRAP_ADMIN_KEY"):
        Settings(environment="production", key_pepper=PEPPER, bootstrap_admin_key="password")


def test_production_takes_a_bootstrap_key_of_the_issued_form() -> None:
    key = new_key()
    assert API_KEY_FORM.fullmatch(key)
    settings = Settings(environment="production", key_pepper=PEPPER, bootstrap_admin_key=key)
    assert settings.bootstrap_admin_key is not None


# Finding 4: 500s on forged cursors.


def _cursor(stamp: str, job_id: str) -> str:
    raw = json.dumps([stamp, job_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("0001-01-01T00:00:00+14:00", "job_x"),  # before year 1 once in UTC
        _cursor("9999-12-31T23:59:59-14:00", "job_x"),  # after year 9999 once in UTC
        _cursor("2026-01-01T00:00:00+00:00", "job_\ud800"),  # a lone surrogate
        _cursor("2026-01-01T00:00:00+00:00", "x" * 65),
        _cursor("2026-01-01T00:00:00+00:00", ""),
    ],
)
async def test_a_forged_cursor_is_a_400_not_a_500(client: httpx.AsyncClient, cursor: str) -> None:
    response = await client.get("/v1/jobs", params={"cursor": cursor})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_cursor"


# Finding 5: 500s on ID tokens with odd time claims.


@pytest.fixture(scope="module")
def google_key() -> SigningKey:
    return SigningKey("review-kid")


@pytest.fixture(scope="module")
def certs_url(google_key: SigningKey) -> Iterator[str]:
    with certs_server(google_key) as url:
        yield url


@pytest.fixture
async def users(make_settings: MakeSettings, certs_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(identity_project=PROJECT, identity_certs_url=certs_url)
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        client.headers.pop("X-API-Key")
        yield client


@pytest.mark.parametrize("exp", ["soon", "1999999999", 1e20, 253_402_400_000, float("inf"), float("nan"), True, None])
async def test_an_id_token_with_an_odd_expiry_is_a_401(
    users: httpx.AsyncClient, google_key: SigningKey, exp: object
) -> None:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": f"https://securetoken.google.com/{PROJECT}", "aud": PROJECT, "sub": "u1"}
    token = _signed_with_raw_exp(google_key, {**claims, "iat": now, "auth_time": now}, exp)
    response = await users.get("/v1/jobs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "invalid_id_token"


def _signed_with_raw_exp(key: SigningKey, claims: dict[str, Any], exp: object) -> str:
    """A signed token whose ``exp`` is written as given (json allows NaN and Infinity through)."""
    token = key.token(**claims, exp=12345)
    header, payload, _ = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["exp"] = exp
    if exp is None:
        del body["exp"]
    raw = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    return key.sign(f"{header}.{raw}")


# Finding 6: the worker's audience.


def test_a_tasks_service_account_without_a_worker_url_is_refused() -> None:
    for environment in ("development", "production"):
        with pytest.raises(ValidationError, match="CF_WORKER_BASE_URL"):
            Settings(
                environment=environment,
                key_pepper=PEPPER,
                tasks_service_account="tasks@project.iam.gserviceaccount.com",
            )


# Finding 7: make run believed X-Forwarded-For from loopback.


@pytest.mark.e2e
def test_make_run_does_not_believe_forwarded_addresses(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CF_SQLITE_PATH": str(tmp_path / "run.db"),
        "CF_BOOTSTRAP_ADMIN_KEY": ADMIN_KEY,
        "CF_RATE_LIMIT_PER_IP": "2/minute",
        "CF_ENVIRONMENT": "test",
    }
    server = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "run.sh")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        statuses = [
            httpx.post(
                f"{base}/v1/jobs",
                json={"topic": "Cells"},  # refused by the offline engine, after the per-IP limit has counted it
                headers={"X-API-Key": ADMIN_KEY, "X-Forwarded-For": f"203.0.113.{n}"},
                timeout=10,
            ).status_code
            for n in range(3)
        ]
        assert statuses[:2] == [422, 422] and statuses[2] == 429, statuses
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_the_key_form_is_the_form_keys_are_issued_in() -> None:
    assert all(API_KEY_FORM.fullmatch(new_key()) for _ in range(50))


# Finding 3: guesses at credentials were never throttled.


async def test_a_burst_of_wrong_keys_from_one_address_is_refused_before_any_key_is_looked_at(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(rate_limit_failed_auth="5/minute", trusted_proxy_hops=1)
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        guesser = {"X-Forwarded-For": "198.51.100.7"}
        statuses = [
            (await client.get("/v1/admin/keys", headers={**guesser, "X-API-Key": f"cf_guess_{n}"})).status_code
            for n in range(8)
        ]
        assert statuses == [401] * 5 + [429] * 3
        refused = await client.get("/v1/jobs", headers={**guesser, "X-API-Key": "cf_guess_again"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["error"]["code"] == "rate_limited"
        # Past the limit even a good key from that address waits: the address is not allowed to keep guessing.
        assert (await client.get("/v1/jobs", headers=guesser)).status_code == 429
        # Another address, and a request that sent no credential at all, are not held back.
        assert (await client.get("/v1/jobs", headers={"X-Forwarded-For": "198.51.100.8"})).status_code == 200
        anonymous = await client.get("/v1/jobs", headers={"X-Forwarded-For": "198.51.100.9", "X-API-Key": ""})
        assert anonymous.status_code == 401
        metrics = (await client.get("/metrics")).text
        assert "cf_auth_failures_total 5.0" in metrics
        assert 'cf_rate_limit_rejections_total{scope="auth"} 5.0' in metrics
    assert "cf_guess_" not in capsys.readouterr().out  # refused credentials are never logged
