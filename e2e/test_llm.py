"""A uvicorn process on each LLM provider, its SDK talking over HTTP to the fake LLM server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from e2e.conftest import KEY
from e2e.server import Server
from tests.fakellm import FakeLLM

pytestmark = pytest.mark.e2e

HEADERS = {"X-API-Key": KEY}


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


@pytest.mark.parametrize("provider", ["openai", "gemini"])
def test_a_topic_becomes_nine_artifacts_through_a_provider(tmp_path: Path, fake_llm: FakeLLM, provider: str) -> None:
    env = {
        "CF_ENVIRONMENT": "test",
        "CF_SQLITE_PATH": str(tmp_path / "llm.db"),
        "CF_BOOTSTRAP_ADMIN_KEY": KEY,
        "CF_LLM_PROVIDER": provider,
        "CF_LLM_MODEL": "fake-model",
        "CF_LLM_BASE_URL": fake_llm.openai_url if provider == "openai" else fake_llm.gemini_url,
    }
    server = Server(env, tmp_path / "server.log")
    server.start()
    try:
        with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as client:
            created = client.post("/v1/jobs", json={"topic": "The water cycle", "language": "es"})
            assert created.status_code == 202, created.text
            job: dict[str, Any] = {}
            for _ in range(600):
                job = client.get(created.headers["location"]).json()
                if job["status"] in {"succeeded", "partial", "failed"}:
                    break
                time.sleep(0.05)
            assert job["status"] == "succeeded", job
            outline = client.get(f"/v1/jobs/{job['id']}/artifacts/outline").json()
    finally:
        server.stop()
    assert outline["generated_by"]["provider"] == provider
    assert "The water cycle" in outline["content"]["title"]
    assert fake_llm.calls() == 9
    assert all("en español" in r.prompt for r in fake_llm.received)
    assert job["usage"]["llm_calls"] == 9
