"""Request hygiene: no secret, token or source text in logs or error bodies; limits on list parameters."""

from __future__ import annotations

import logging

import httpx
import pytest

from app.main import create_app
from tests.fixtures.app import ADMIN_KEY, MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.oidc import SigningKey

SECRET_SOURCE = "Zyxwvut-secret-source-sentence explains photosynthesis in the chloroplast membranes."


async def test_no_key_token_or_source_text_reaches_the_logs_or_an_error_body(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    signer = SigningKey("hygiene-kid")
    token = signer.token(iss="https://securetoken.google.com/demo-cf-hygiene", aud="demo-cf-hygiene", sub="u")
    wrong_key = "cf_wrong" + "Q" * 40
    settings = make_settings(identity_project="demo-cf-hygiene", identity_certs_url="http://127.0.0.1:9/none")
    bodies = []
    with caplog.at_level(logging.DEBUG):
        async for client in open_client(create_app(settings, generator=FakeGenerator(refuse="source refused"))):
            created = await client.post("/v1/admin/keys", json={"owner": "o", "name": "n"})
            new_key = created.json()["key"]
            responses = [
                await client.get("/v1/jobs", headers={"X-API-Key": wrong_key}),
                await client.get("/v1/jobs", headers={"X-API-Key": "", "Authorization": f"Bearer {token}"}),
                await client.post("/v1/jobs", json={"source_text": SECRET_SOURCE}),
                await client.post("/v1/jobs", json={"source_text": SECRET_SOURCE, "extra": SECRET_SOURCE}),
                await client.post("/v1/jobs", json={"source_text": SECRET_SOURCE, "language": SECRET_SOURCE}),
                await client.get("/v1/jobs", headers={"X-API-Key": new_key}),
            ]
            bodies = [r.text for r in responses]
            assert [r.status_code for r in responses] == [401, 503, 422, 422, 422, 200]
    # Records through logging, and every line on stdout (the access lines are written there directly).
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records) + capsys.readouterr().out
    assert '"logger":"app.access"' in logged
    for secret in (ADMIN_KEY, wrong_key, token, new_key, SECRET_SOURCE):
        assert secret not in logged
        assert all(secret not in body for body in bodies)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/jobs", {"limit": 101}),
        ("/v1/jobs", {"limit": 0}),
        ("/v1/jobs", {"cursor": "c" * 513}),
        ("/v1/jobs", {"status": "everything"}),
        ("/v1/admin/keys", {"limit": 101}),
        ("/v1/admin/keys", {"cursor": "not-a-key-id"}),
    ],
)
async def test_list_parameters_are_bounded(client: httpx.AsyncClient, path: str, params: dict[str, str | int]) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] in params


async def test_a_job_may_not_ask_for_too_many_artifacts_or_repeat_them(client: httpx.AsyncClient) -> None:
    for artifacts in (["faq"] * 9, ["faq", "faq"]):
        response = await client.post("/v1/jobs", json={"source_text": "x y z", "artifacts": artifacts})
        assert response.status_code == 422


async def test_an_oversized_header_is_refused_before_the_app(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/jobs", headers={"X-Padding": "p" * 20_000})
    assert response.status_code == 431 and response.json()["error"]["code"] == "request_header_fields_too_large"
    many = await client.get("/v1/jobs", headers={f"X-H{i}": "v" for i in range(120)})
    assert many.status_code == 431
