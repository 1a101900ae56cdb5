"""The service on an LLM provider, pointed at the fake LLM server (real SDK, real HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.fakellm import FakeLLM
from tests.fixtures.app import MakeSettings, open_client

PRICE = {"input": 1.0, "output": 2.0}  # USD per million tokens for the fake model

MakeClient = Callable[..., Any]


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM(retry_after=0.05, latency=0.2) as server:
        yield server


@pytest.fixture(params=["openai", "gemini"])
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def llm_settings(make_settings: MakeSettings, provider: str, fake: FakeLLM, **overrides: Any) -> Any:
    return make_settings(
        llm_provider=provider,
        llm_model="fake-model",
        llm_base_url=fake.openai_url if provider == "openai" else fake.gemini_url,
        llm_prices={"fake-model": PRICE},
        llm_retry_max_seconds=5,
        llm_retry_base_seconds=0.01,
        **{"llm_circuit_failures": 100, "step_max_attempts": 2, **overrides},
    )


@pytest.fixture
async def llm_client(make_settings: MakeSettings, provider: str, fake_llm: FakeLLM) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_app(llm_settings(make_settings, provider, fake_llm))):
        yield client
