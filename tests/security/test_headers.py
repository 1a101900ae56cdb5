"""Security headers on every kind of response (200, 401, 404, 422, 429, the edge's 413/415/431/414, and a 500),
a CSP per kind of response, HSTS only in production, and CORS only for the configured origins."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from app.main import create_app
from tests.fixtures.app import ADMIN_KEY, MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
SOURCE = "Mitochondria produce energy for the cell through respiration."


def assert_secured(response: httpx.Response, *, production: bool = False, csp: str = JSON_CSP) -> None:
    headers = response.headers
    assert headers["content-security-policy"] == csp, response.status_code
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "camera=()" in headers["permissions-policy"] and "geolocation=()" in headers["permissions-policy"]
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert ("strict-transport-security" in headers) is production
    if production:
        assert headers["strict-transport-security"].startswith("max-age=63072000")


async def responses_of_every_kind(client: httpx.AsyncClient) -> dict[str, httpx.Response]:
    return {
        "200": await client.get("/v1/jobs"),
        "202": await client.post("/v1/jobs", json={"source_text": SOURCE}),
        "401": await client.get("/v1/jobs", headers={"X-API-Key": ""}),
        "404 route": await client.get("/nowhere"),
        "404 job": await client.get("/v1/jobs/job_missing"),
        "422": await client.post("/v1/jobs", json={"unknown": 1}),
        "413": await client.post("/v1/jobs", content=b"{}" * 600_000, headers={"Content-Type": "application/json"}),
        "415": await client.post("/v1/jobs", content=b"x=1", headers={"Content-Type": "text/plain"}),
        "431": await client.get("/v1/jobs", headers={f"X-Filler-{i}": "x" * 200 for i in range(100)}),
        "414": await client.get("/v1/jobs", params={"cursor": "c" * 9000}),
        "healthz": await client.get("/healthz"),
    }


async def test_every_kind_of_response_carries_the_headers(make_settings: MakeSettings) -> None:
    settings = make_settings(rate_limit_reads="3/minute")
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        got = await responses_of_every_kind(client)
        for _ in range(3):
            got["429"] = await client.get("/v1/content-types")
        expected = {"200": 200, "202": 202, "401": 401, "404 route": 404, "404 job": 404, "422": 422, "413": 413}
        expected |= {"415": 415, "431": 431, "414": 414, "healthz": 200, "429": 429}
        assert {name: r.status_code for name, r in got.items()} == expected
        for response in got.values():
            assert_secured(response)
            assert response.headers["cache-control"] == "no-store"
            if response.status_code >= 400:
                assert response.json()["error"]["code"]
        for name in ("200", "404 job", "429"):  # counted by the read limit, and told so
            assert got[name].headers["x-ratelimit-limit"] == "3"
        assert "retry-after" in got["429"].headers


async def test_an_unexpected_error_is_a_bare_500_with_the_headers(make_settings: MakeSettings) -> None:
    app = create_app(make_settings(), generator=FakeGenerator())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("internal detail that must not leak")

    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "internal detail" not in response.text
    assert response.headers["x-request-id"] == response.json()["error"]["request_id"]  # as on every response
    assert_secured(response)


async def test_production_adds_hsts_and_serves_no_docs(make_settings: MakeSettings) -> None:
    settings = make_settings(environment="production", key_pepper="a-production-pepper-0123456789")
    app: FastAPI = create_app(settings, generator=FakeGenerator())
    async for client in open_client(app):
        for path in ("/v1/jobs", "/docs", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"):
            response = await client.get(path)
            assert_secured(response, production=True)
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 404


@pytest.mark.parametrize(
    ("origin", "allowed"), [("https://app.example.test", True), ("https://evil.example.test", False)]
)
async def test_cors_answers_only_the_configured_origins(
    make_settings: MakeSettings, origin: str, allowed: bool
) -> None:
    settings = make_settings(cors_origins="https://app.example.test")
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        preflight = await client.options(
            "/v1/jobs",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-API-Key",
            },
        )
        actual = await client.get("/v1/jobs", headers={"Origin": origin, "X-API-Key": ADMIN_KEY})
        assert ("access-control-allow-origin" in preflight.headers) is allowed
        assert ("access-control-allow-origin" in actual.headers) is allowed
        if allowed:
            assert "x-ratelimit-remaining" in actual.headers["access-control-expose-headers"].lower()
        assert_secured(preflight)
    async for client in open_client(create_app(make_settings(), generator=FakeGenerator())):
        response = await client.get("/v1/jobs", headers={"Origin": "https://app.example.test"})
        assert "access-control-allow-origin" not in response.headers  # no CF_CORS_ORIGINS: no CORS at all
