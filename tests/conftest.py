"""Shared fixtures: an app on embedded adapters in a temporary folder, and an HTTP client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.fixtures.app import ADMIN_KEY, MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator


@pytest.fixture
def make_settings(tmp_path: Path) -> MakeSettings:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "sqlite_path": tmp_path / "cf.db",
            "storage_dir": tmp_path / "storage",
            "bootstrap_admin_key": ADMIN_KEY,
            "step_retry_base_seconds": 0.01,
            "step_retry_max_seconds": 0.05,
            # Polling a job must not trip a limit; the rate-limit tests set the limits they test.
            "rate_limit_per_ip": "100000/minute",
            "rate_limit_per_key": "100000/minute",
            "rate_limit_reads": "100000/minute",
            "speech": "off",  # the tests of the podcast's audio turn it on
            **overrides,
        }
        return Settings(**values)

    return make


@pytest.fixture
def fake() -> FakeGenerator:
    return FakeGenerator()


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
