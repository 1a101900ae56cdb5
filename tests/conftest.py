"""Shared fixtures: an app on embedded adapters in a temporary folder, and an HTTP client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from tests.fixtures.fake_generator import FakeGenerator

ADMIN_KEY = "cf_test_admin_key_0123456789abcdefghijklmnopqrstuvwxyz"
TEXTS = Path(__file__).parent / "fixtures" / "texts"

MakeSettings = Callable[..., Settings]


@pytest.fixture
def make_settings(tmp_path: Path) -> MakeSettings:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "sqlite_path": tmp_path / "cf.db",
            "bootstrap_admin_key": ADMIN_KEY,
            "step_retry_base_seconds": 0.01,
            "step_retry_max_seconds": 0.05,
            # Polling a job must not trip a limit; the rate-limit tests set the limits they test.
            "rate_limit_per_ip": "100000/minute",
            "rate_limit_per_key": "100000/minute",
            "rate_limit_reads": "100000/minute",
            **overrides,
        }
        return Settings(**values)

    return make


@pytest.fixture
def fake() -> FakeGenerator:
    return FakeGenerator()


async def open_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers={"X-API-Key": ADMIN_KEY}
        ) as client:
            yield client


@pytest.fixture
async def client(make_settings: MakeSettings, fake: FakeGenerator) -> AsyncIterator[httpx.AsyncClient]:
    """The API with a scripted generator (see ``fake``)."""
    async for c in open_client(create_app(make_settings(), generator=fake)):
        yield c


@pytest.fixture
async def extractive_client(make_settings: MakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The API exactly as ``make run`` builds it: the offline extractive engine."""
    async for c in open_client(create_app(make_settings())):
        yield c


def text(name: str) -> str:
    return (TEXTS / name).read_text()
