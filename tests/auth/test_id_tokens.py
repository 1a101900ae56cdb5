"""Identity Platform ID tokens over the API, signed with a local key whose certificate is served over HTTP the
way Google's securetoken service serves its own: every check the emulator cannot exercise (signature, expiry,
issuer, audience, algorithm)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.oidc import SigningKey, certs_server

PROJECT = "demo-cf-identity"
ISSUER = f"https://securetoken.google.com/{PROJECT}"
SOURCE = "Mitochondria produce energy for the cell through respiration."


@pytest.fixture(scope="module")
def google_key() -> SigningKey:
    return SigningKey("securetoken-kid")


@pytest.fixture(scope="module")
def certs_url(google_key: SigningKey) -> Iterator[str]:
    with certs_server(google_key) as url:
        yield url


def id_token(key: SigningKey, uid: str = "user-1", **claims: Any) -> str:
    now = int(time.time())
    defaults: dict[str, Any] = {"iss": ISSUER, "aud": PROJECT, "sub": uid, "auth_time": now, "email_verified": None}
    return key.token(**{**defaults, **claims})


def unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-API-Key": ""}


@pytest.fixture
async def api(make_settings: MakeSettings, certs_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(identity_project=PROJECT, identity_certs_url=certs_url)
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        client.headers.pop("X-API-Key")
        yield client


async def test_a_valid_token_acts_for_its_user_who_sees_only_their_own_jobs(
    api: httpx.AsyncClient, google_key: SigningKey
) -> None:
    alice, bob = id_token(google_key, "alice"), id_token(google_key, "bob")
    created = await api.post("/v1/jobs", json={"source_text": SOURCE}, headers=bearer(alice))
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    assert (await api.get(f"/v1/jobs/{job_id}", headers=bearer(alice))).status_code == 200
    assert (await api.get(f"/v1/jobs/{job_id}", headers=bearer(bob))).status_code == 404
    assert (await api.get("/v1/jobs", headers=bearer(bob))).json()["items"] == []


async def test_users_never_get_the_admin_scope(api: httpx.AsyncClient, google_key: SigningKey) -> None:
    response = await api.get("/v1/admin/keys", headers=bearer(id_token(google_key, "admin")))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_scope"


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": 1_000_000_000, "iat": 999_999_000}, id="expired"),
        pytest.param({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, id="issued-in-future"),
        pytest.param({"auth_time": int(time.time()) + 3600}, id="authenticated-in-future"),
        pytest.param({"aud": "another-project"}, id="other-audience"),
        pytest.param({"iss": "https://securetoken.google.com/another-project"}, id="other-issuer"),
        pytest.param({"iss": "https://accounts.google.com"}, id="google-oidc-not-firebase"),
        pytest.param({"sub": ""}, id="no-user"),
        pytest.param({"sub": "u" * 129}, id="uid-too-long"),
    ],
)
async def test_tokens_with_wrong_claims_are_refused(
    api: httpx.AsyncClient, google_key: SigningKey, claims: dict[str, Any]
) -> None:
    token = id_token(google_key, **{"uid": claims.pop("sub", "user-1")}, **claims)
    response = await api.get("/v1/jobs", headers=bearer(token))
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "invalid_id_token"
    assert token not in response.text


async def test_forged_and_unsigned_tokens_are_refused(api: httpx.AsyncClient, google_key: SigningKey) -> None:
    forger = SigningKey("securetoken-kid")  # the same key id, another key
    stranger = SigningKey("unknown-kid")
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": PROJECT, "sub": "user-1", "iat": now, "exp": now + 300}
    for token in (id_token(forger), id_token(stranger), unsigned(claims), "not.a.jwt", "garbage"):
        response = await api.get("/v1/jobs", headers=bearer(token))
        assert response.status_code == 401, token
        assert response.json()["error"]["code"] == "invalid_id_token"


async def test_other_authorization_schemes_are_refused(api: httpx.AsyncClient, google_key: SigningKey) -> None:
    for value in (f"Basic {id_token(google_key)}", "Bearer ", "Bearer"):
        response = await api.get("/v1/jobs", headers={"Authorization": value})
        assert response.status_code == 401
        assert response.json()["error"]["code"] in {"invalid_authorization", "missing_api_key"}
        assert "www-authenticate" in response.headers


async def test_id_tokens_are_refused_where_no_project_is_configured(
    client: httpx.AsyncClient, google_key: SigningKey
) -> None:
    response = await client.get("/v1/jobs", headers=bearer(id_token(google_key)))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "id_tokens_disabled"


async def test_unreachable_signing_keys_are_a_503_not_a_pass(
    make_settings: MakeSettings, google_key: SigningKey
) -> None:
    settings = make_settings(identity_project=PROJECT, identity_certs_url="http://127.0.0.1:9/certs")
    async for api in open_client(create_app(settings, generator=FakeGenerator())):
        response = await api.get("/v1/jobs", headers=bearer(id_token(google_key)))
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "certs_unavailable"
        assert "retry-after" in response.headers
