"""Structured logs: every line is Cloud Logging JSON carrying its request's trace and id, and no secrets."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import httpx
import pytest

from app.content.catalogue import ArtifactType
from app.main import create_app
from app.observability.logging import TRACE, CloudLoggingFormatter, Trace, parse_trace
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import ADMIN_KEY, MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SOURCE = "Photosynthesis turns light into chemical energy. A confidential sentence that must not be logged."


def lines(out: str) -> list[dict[str, Any]]:
    parsed = []
    for line in out.splitlines():
        if line.strip():
            parsed.append(json.loads(line))  # every line must be one JSON object
    return parsed


@pytest.mark.parametrize(
    ("traceparent", "cloud", "expected"),
    [
        (f"00-{TRACE_ID}-00f067aa0ba902b7-01", None, Trace(TRACE_ID, "00f067aa0ba902b7", True)),
        (f"00-{TRACE_ID}-00f067aa0ba902b7-00", None, Trace(TRACE_ID, "00f067aa0ba902b7", False)),
        (None, f"{TRACE_ID.upper()}/1;o=1", Trace(TRACE_ID, "0000000000000001", True)),
        (None, f"{TRACE_ID}", Trace(TRACE_ID, None, False)),
        ("garbage", f"{TRACE_ID}/12", Trace(TRACE_ID, "000000000000000c", False)),
        (f"00-{'0' * 32}-00f067aa0ba902b7-01", None, None),
        ("nonsense", "also nonsense", None),
        (None, None, None),
    ],
)
def test_trace_comes_from_traceparent_or_the_cloud_header(
    traceparent: str | None, cloud: str | None, expected: Trace | None
) -> None:
    assert parse_trace(traceparent, cloud) == expected


def test_a_record_is_one_cloud_logging_line() -> None:
    record = logging.LogRecord("app.x", logging.WARNING, __file__, 7, "hello %s", ("world",), None)
    entry = json.loads(CloudLoggingFormatter("demo-project").format(record))
    assert entry["severity"] == "WARNING"
    assert entry["message"] == "hello world"
    assert entry["logging.googleapis.com/sourceLocation"]["line"] == 7
    assert TRACE not in entry  # outside a request


async def test_every_line_is_json_with_the_trace_and_request_id_of_its_request(
    make_settings: MakeSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeGenerator(crash={ArtifactType.FAQ})  # a step that logs an exception
    app = create_app(make_settings(google_cloud_project="demo-project", step_max_attempts=1), generator=fake)
    headers = {"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01", "X-Request-ID": "req-create-1"}
    async for client in open_client(app):
        capsys.readouterr()
        created = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers=headers)
        assert created.status_code == 202
        assert created.headers["x-request-id"] == "req-create-1"
        await wait_for_job(client, created.json()["id"])
        missing = await client.get("/v1/jobs/job_missing", headers={"X-Cloud-Trace-Context": f"{TRACE_ID}/5;o=1"})
        assert missing.status_code == 404
        out = capsys.readouterr().out

    entries = lines(out)
    created_lines = [e for e in entries if e.get("request_id") == "req-create-1"]
    assert created_lines
    assert all(e[TRACE] == f"projects/demo-project/traces/{TRACE_ID}" for e in created_lines)
    assert all(e["logging.googleapis.com/spanId"] == "00f067aa0ba902b7" for e in created_lines)

    access = [e for e in entries if e["logger"] == "app.access"]
    assert access and all("request_id" in e and e["severity"] in {"INFO", "WARNING"} for e in access)
    post = next(e for e in access if e["httpRequest"]["requestMethod"] == "POST")
    assert post["request_id"] == "req-create-1"
    assert post["httpRequest"]["status"] == 202
    assert post["httpRequest"]["latency"].endswith("s")
    assert post["route"] == "/v1/jobs"
    get_missing = next(e for e in access if e["httpRequest"]["status"] == 404)
    assert get_missing[TRACE] == f"projects/demo-project/traces/{TRACE_ID}"
    assert get_missing["logging.googleapis.com/trace_sampled"] is True

    # The step that crashed ran in a task the request started: its lines carry the request's trace too.
    crashed = [e for e in entries if "stack_trace" in e]
    assert crashed and all(e["request_id"] == "req-create-1" and e[TRACE].endswith(TRACE_ID) for e in crashed)
    assert all(e["severity"] == "ERROR" for e in crashed)

    # Nothing secret: no API key, no source text.
    assert ADMIN_KEY not in out
    assert "confidential sentence" not in out


async def test_request_ids_are_generated_when_the_client_sends_none(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    response = await client.get("/healthz")
    entries = lines(capsys.readouterr().out)
    (access,) = [e for e in entries if e["logger"] == "app.access"]
    assert access["request_id"] == response.headers["x-request-id"]
    assert TRACE not in access


def test_values_orjson_does_not_write_still_make_one_json_line() -> None:
    record = logging.LogRecord("app.x", logging.INFO, __file__, 7, "big", (), None)
    record.big = 2**70  # over 64 bits
    entry = json.loads(CloudLoggingFormatter(None).format(record))
    assert entry["big"] == 2**70
    assert entry["time"].endswith("+00:00")


class _BrokenStdout:
    def write(self, text: str) -> int:
        raise BrokenPipeError("the log reader went away")

    def flush(self) -> None:
        raise BrokenPipeError("the log reader went away")


async def test_a_log_that_cannot_be_written_never_fails_the_request(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", _BrokenStdout())
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert "the log reader went away" in capsys.readouterr().err  # reported, as logging reports a failed emit


def test_development_logs_lines_a_person_reads_and_other_environments_json() -> None:
    import logging as stdlib_logging

    from app.config import Settings
    from app.observability.logging import TextFormatter

    assert Settings(environment="development").log_text is True
    assert Settings(environment="test").log_text is False
    assert Settings(environment="development", log_format="json").log_text is False
    record = stdlib_logging.LogRecord("app.jobs", stdlib_logging.WARNING, __file__, 1, "job %s slow", ("j1",), None)
    line = TextFormatter().format(record)
    assert line.endswith("WARNING app.jobs: job j1 slow") and not line.startswith("{")


def test_development_limits_fit_one_person_unless_they_are_set() -> None:
    from app.config import Settings

    assert Settings(environment="development").rate_limit_per_ip == "60/minute"
    assert Settings(environment="development", rate_limit_per_ip="5/minute").rate_limit_per_ip == "5/minute"
    assert Settings(environment="test").rate_limit_per_ip == "10/minute"
