"""Bad input gets a 4xx in the error envelope that names the field; nothing is written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.fake_generator import FakeGenerator

SOURCE = "Enzymes speed up chemical reactions in living things."


def _fields(response: httpx.Response) -> set[str]:
    return {d["field"] for d in response.json()["error"]["details"]}


def _envelope(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    return error


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topic": "ab"}, "topic"),
        ({"topic": "x" * 301}, "topic"),
        ({"source_text": "x" * 200_001}, "source_text"),
        ({"source_text": "   "}, "source_text"),
        ({}, "body"),
        ({"source_text": SOURCE, "artifacts": ["outline", "essay"]}, "artifacts.1"),
        ({"source_text": SOURCE, "artifacts": []}, "artifacts"),
        ({"source_text": SOURCE, "artifacts": ["faq", "faq"]}, "artifacts"),
        ({"source_text": SOURCE, "colour": "blue"}, "colour"),
        ({"source_text": SOURCE, "options": {"flashcards": {"count": 51}}}, "options.flashcards.count"),
        ({"source_text": SOURCE, "options": {"faq": {"count": 4}}}, "options.faq.count"),
        (
            {"source_text": SOURCE, "options": {"podcast_script": {"minutes": 0}}},
            "options.podcast_script.minutes",
        ),
        ({"source_text": SOURCE, "options": {"essay": {}}}, "options.essay"),
        ({"source_text": SOURCE, "options": {"faq": {"size": 5}}}, "options.faq.size"),
        ({"source_text": SOURCE, "language": "not a language"}, "language"),
        ({"source_text": SOURCE, "difficulty": "impossible"}, "difficulty"),
        ({"source_text": 42}, "source_text"),
    ],
)
async def test_invalid_bodies_are_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/jobs", json=body)
    error = _envelope(response, 422, "validation_error")
    assert field in _fields(response), error
    assert (await client.get("/v1/jobs")).json()["items"] == []


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/jobs",
        content=b'{"source_text": "' + b"a" * (1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    error = _envelope(response, 413, "payload_too_large")
    assert error["details"] == {"limit_bytes": 1024 * 1024}


async def test_streamed_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(20):
            yield b"a" * 65536

    response = await client.post("/v1/jobs", content=chunks(), headers={"Content-Type": "application/json"})
    _envelope(response, 413, "payload_too_large")


async def test_non_json_body_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/jobs", content=b"source_text=hello", headers={"Content-Type": "text/plain"})
    _envelope(response, 415, "unsupported_media_type")


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/jobs", content=b'{"source_text": ', headers={"Content-Type": "application/json"})
    _envelope(response, 422, "validation_error")


async def test_engine_refusal_is_422_and_creates_nothing(client: httpx.AsyncClient, fake: FakeGenerator) -> None:
    fake.refuse = "Too short."
    response = await client.post("/v1/jobs", json={"source_text": SOURCE})
    error = _envelope(response, 422, "validation_error")
    assert error["message"] == "Too short."
    assert (await client.get("/v1/jobs")).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"status": "done"}, "status")],
)
async def test_bad_list_parameters_are_422(client: httpx.AsyncClient, params: dict[str, Any], field: str) -> None:
    response = await client.get("/v1/jobs", params=params)
    _envelope(response, 422, "validation_error")
    assert field in _fields(response)


async def test_bad_cursor_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/jobs", params={"cursor": "not-a-cursor"})
    error = _envelope(response, 400, "invalid_cursor")
    assert error["details"][0]["field"] == "cursor"


async def test_unknown_artifact_type_in_path_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/jobs/job_x/artifacts/essay")
    _envelope(response, 422, "validation_error")
    assert "artifact_type" in _fields(response)


@pytest.mark.parametrize("key", [None, "", "cf_wrong"])
async def test_missing_or_wrong_key_is_401(client: httpx.AsyncClient, key: str | None) -> None:
    headers = {"X-API-Key": key} if key is not None else {}
    client.headers.pop("X-API-Key")
    response = await client.get("/v1/jobs", headers=headers)
    error = _envelope(response, 401, "missing_api_key" if not key else "invalid_api_key")
    assert "X-API-Key" in error["message"] or "not valid" in error["message"]


async def test_unknown_route_is_404_envelope(client: httpx.AsyncClient) -> None:
    _envelope(await client.get("/v1/nothing"), 404, "not_found")


async def test_bad_idempotency_key_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers={"Idempotency-Key": "x" * 201})
    _envelope(response, 422, "validation_error")
    assert "Idempotency-Key" in _fields(response)
