"""The worker endpoint refuses anyone but Cloud Tasks (a valid OIDC token) or, outside production, the holder
of the worker secret. Tokens are signed with a local key whose certificate is served over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.main import create_app
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.oidc import SigningKey, certs_server

ACCOUNT = "tasks@project.iam.gserviceaccount.com"
WORKER_URL = "https://worker.example.test"
STEP = {"job_id": "job_missing", "artifact": "outline", "generation": 0}


@pytest.fixture(scope="module")
def google_key() -> SigningKey:
    return SigningKey("google-kid")


@pytest.fixture(scope="module")
def certs_url(google_key: SigningKey) -> Iterator[str]:
    with certs_server(google_key) as url:
        yield url


@pytest.fixture
async def oidc_client(make_settings: MakeSettings, certs_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        tasks_service_account=ACCOUNT,
        worker_base_url=WORKER_URL,
        oidc_certs_url=certs_url,
    )
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        yield client


@pytest.fixture
async def secret_client(make_settings: MakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(worker_secret="s3cret-worker-value")
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_is_accepted(oidc_client: httpx.AsyncClient, google_key: SigningKey) -> None:
    token = google_key.token(aud=WORKER_URL, email=ACCOUNT)
    response = await oidc_client.post("/internal/tasks/steps", json=STEP, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "skipped"  # no such job: nothing to do, and Cloud Tasks stops


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"aud": "https://elsewhere.example.test", "email": ACCOUNT}, "invalid_worker_credentials"),
        ({"aud": WORKER_URL, "email": "intruder@project.iam.gserviceaccount.com"}, "wrong_service_account"),
        ({"aud": WORKER_URL, "email": ACCOUNT, "email_verified": False}, "wrong_service_account"),
        ({"aud": WORKER_URL, "email": ACCOUNT, "iss": "https://evil.example.test"}, "invalid_worker_credentials"),
        ({"aud": WORKER_URL, "email": ACCOUNT, "exp": 1_000_000_000, "iat": 999_999_000}, "invalid_worker_credentials"),
    ],
)
async def test_tokens_with_wrong_claims_are_refused(
    oidc_client: httpx.AsyncClient, google_key: SigningKey, claims: dict[str, object], code: str
) -> None:
    response = await oidc_client.post("/internal/tasks/steps", json=STEP, headers=bearer(google_key.token(**claims)))
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == code


async def test_a_token_signed_by_another_key_is_refused(oidc_client: httpx.AsyncClient) -> None:
    forger = SigningKey("google-kid")  # same key id, different key
    response = await oidc_client.post(
        "/internal/tasks/steps", json=STEP, headers=bearer(forger.token(aud=WORKER_URL, email=ACCOUNT))
    )
    assert response.status_code == 401


async def test_an_unsigned_token_is_refused(oidc_client: httpx.AsyncClient) -> None:
    import base64
    import json

    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    unsigned = f"{part({'alg': 'none', 'kid': 'google-kid'})}.{part({'aud': WORKER_URL, 'email': ACCOUNT})}."
    response = await oidc_client.post("/internal/tasks/steps", json=STEP, headers=bearer(unsigned))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not.a.jwt"}],
)
async def test_missing_or_malformed_tokens_are_refused(oidc_client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await oidc_client.post("/internal/tasks/steps", json=STEP, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_worker_credentials"


async def test_the_worker_secret_stands_in_outside_production(secret_client: httpx.AsyncClient) -> None:
    ok = await secret_client.post(
        "/internal/tasks/steps", json=STEP, headers={"X-CF-Worker-Secret": "s3cret-worker-value"}
    )
    assert ok.status_code == 200
    for headers in ({}, {"X-CF-Worker-Secret": "wrong"}):
        refused = await secret_client.post("/internal/tasks/steps", json=STEP, headers=headers)
        assert refused.status_code == 401


async def test_the_worker_endpoint_is_closed_when_nothing_is_configured(client: httpx.AsyncClient) -> None:
    response = await client.post("/internal/tasks/steps", json=STEP, headers={"X-CF-Worker-Secret": "anything"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "worker_disabled"


async def test_an_api_key_does_not_open_the_worker_endpoint(secret_client: httpx.AsyncClient) -> None:
    response = await secret_client.post("/internal/tasks/steps", json=STEP)  # carries the admin X-API-Key
    assert response.status_code == 401
