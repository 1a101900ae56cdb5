"""Sentry, against a local stand-in that receives and parses the envelopes the SDK really sends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.content.catalogue import ArtifactOptions, ArtifactType
from app.content.generator import GenerationInput
from app.errors import NotFound, ServiceUnavailable
from app.main import create_app
from app.observability.sentry import FILTERED, before_send
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import ADMIN_KEY, MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.sentry_server import SentryStandIn

SOURCE = "Glaciers carve valleys over millennia. This private sentence must never reach Sentry at all."


@pytest.fixture
def sentry() -> Iterator[SentryStandIn]:
    with SentryStandIn() as stand_in:
        yield stand_in


@dataclass
class ExplodingGenerator(FakeGenerator):
    """Its admission check raises an unexpected error once told to: a server fault, in tests only."""

    explode: bool = False

    async def check(
        self, request: GenerationInput, artifacts: Sequence[ArtifactType], options: ArtifactOptions
    ) -> None:
        if self.explode:
            raise RuntimeError("the engine exploded")
        await super().check(request, artifacts, options)


def tags(event: dict[str, Any]) -> dict[str, str]:
    return dict(event.get("tags") or {})


async def test_a_server_error_reaches_sentry_tagged_and_without_key_or_source_while_4xx_do_not(
    make_settings: MakeSettings, sentry: SentryStandIn
) -> None:
    generator = ExplodingGenerator()
    app = create_app(make_settings(sentry_dsn=sentry.dsn), generator=generator)
    async with LifespanManager(app) as manager:
        # As a real server does: an unhandled error becomes the 500 response, not an exception in the client.
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"X-API-Key": ADMIN_KEY})
        assert (await client.get("/v1/jobs/job_missing")).status_code == 404
        assert (await client.post("/v1/jobs", json={"source_text": SOURCE, "colour": "red"})).status_code == 422
        generator.refuse = "This engine cannot serve that."
        assert (await client.post("/v1/jobs", json={"source_text": SOURCE})).status_code == 422
        generator.refuse = None
        generator.explode = True
        failed = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers={"Cookie": "session=abc123"})
        assert failed.status_code == 500
        assert failed.json()["error"]["code"] == "internal_error"
        await client.aclose()
    # The lifespan has ended: the SDK flushed everything it had queued.

    (event,) = sentry.wait_for_events(1)
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["environment"] == "test"
    assert event["release"] == "content-factory@0.1.0"
    assert tags(event)["route"] == "/v1/jobs"
    assert tags(event)["provider"] == "fake"
    for body in sentry.raw:
        assert ADMIN_KEY.encode() not in body
        assert b"private sentence" not in body
        assert b"abc123" not in body
    assert len(sentry.events) == 1  # the 404 and both 422s were not sent


async def test_a_failing_step_reaches_sentry_with_its_job_artifact_and_breadcrumbs(
    make_settings: MakeSettings, sentry: SentryStandIn
) -> None:
    fake = FakeGenerator(crash={ArtifactType.FAQ})
    app = create_app(make_settings(sentry_dsn=sentry.dsn, step_max_attempts=1), generator=fake)
    async for client in open_client(app):
        created = await client.post("/v1/jobs", json={"source_text": SOURCE})
        job = await wait_for_job(client, created.json()["id"])
        assert job["artifacts"]["faq"]["status"] == "failed"

    (event,) = sentry.wait_for_events(1)
    assert tags(event)["job_id"] == job["id"]
    assert tags(event)["artifact"] == "faq"
    assert tags(event)["provider"] == "fake"
    crumbs = [c for c in event["breadcrumbs"]["values"] if c.get("category") == "pipeline"]
    assert [c["message"] for c in crumbs][:2] == ["step started", "generating"]
    assert all(c["data"]["artifact"] == "faq" for c in crumbs)
    for body in sentry.raw:
        assert b"private sentence" not in body
        assert ADMIN_KEY.encode() not in body


def test_before_send_strips_credentials_bodies_and_frame_variables() -> None:
    event: Any = {
        "request": {
            "url": "http://service/v1/jobs",
            "data": {"source_text": "secret text"},
            "cookies": {"session": "abc"},
            "headers": {
                "X-Api-Key": "cf_key",
                "Authorization": "Bearer t",
                "X-CF-Worker-Secret": "w",
                "Cookie": "session=abc",
                "User-Agent": "curl",
            },
        },
        "exception": {"values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"body": "secret text"}}]}}]},
        "extra": {"source_text": "secret text", "attempt": 2},
        "transaction": "/v1/jobs/{job_id}",
        "transaction_info": {"source": "route"},
    }
    sent: Any = before_send(event, {})
    assert sent is not None
    assert "data" not in sent["request"] and "cookies" not in sent["request"]
    headers = sent["request"]["headers"]
    assert headers["X-Api-Key"] == headers["Authorization"] == headers["X-CF-Worker-Secret"] == FILTERED
    assert headers["Cookie"] == FILTERED and headers["User-Agent"] == "curl"
    assert "vars" not in sent["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert sent["extra"] == {"source_text": FILTERED, "attempt": 2}
    assert sent["tags"]["route"] == "/v1/jobs/{job_id}"
    assert "secret text" not in repr(sent)


@pytest.mark.parametrize(
    ("error", "sent"),
    [
        (NotFound("No job."), False),
        (ServiceUnavailable("Queue down."), True),
        (RuntimeError("bug"), True),
    ],
)
def test_before_send_drops_expected_errors_only(error: BaseException, sent: bool) -> None:
    result = before_send({"level": "error"}, {"exc_info": (type(error), error, None)})
    assert (result is not None) is sent
