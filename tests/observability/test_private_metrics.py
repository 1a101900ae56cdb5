"""``CF_METRICS_PORT``: the exposition on a loopback port of its own, without the token ``GET /metrics`` requires,
for a collector in the same instance; the job gauges kept fresh by the loop; the port closed with the app."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.main import create_app
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.services import free_port

TOKEN = "metrics-token-0123456789abcdef"
SOURCE = "Enzymes speed up reactions in the cell. They lower the activation energy of a reaction."


async def scrape(url: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
        return await client.get(url)


async def test_the_loopback_port_serves_metrics_without_the_token_and_closes_with_the_app(
    make_settings: MakeSettings,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    settings = make_settings(metrics_token=TOKEN, metrics_port=port)
    async for api in open_client(create_app(settings, generator=FakeGenerator())):
        assert (await api.get("/metrics")).status_code == 401  # the service port keeps its token
        created = await api.post("/v1/jobs", json={"source_text": SOURCE})
        assert created.status_code == 202, created.text
        response = await scrape(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        names = {family.name for family in text_string_to_metric_families(response.text)}
        assert {"cf_jobs_created", "cf_jobs_in_flight", "cf_http_requests"} <= names
        created_total = [
            sample.value
            for family in text_string_to_metric_families(response.text)
            if family.name == "cf_jobs_created"
            for sample in family.samples
            if sample.name == "cf_jobs_created_total"
        ]
        assert sum(created_total) == 1, "the same registry as the service's"
    await asyncio.sleep(0)
    with pytest.raises(httpx.ConnectError):
        await scrape(url)


def test_the_port_is_a_setting_with_bounds(make_settings: MakeSettings) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="metrics_port"):
        make_settings(metrics_port=80)
