"""The worker endpoint's answers: 503 + Retry-After for a step another worker holds, 2xx for finished steps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator

SECRET = {"X-CF-Worker-Secret": "s3cret-worker-value"}


@pytest.fixture
async def worker_client(make_settings: MakeSettings, fake: FakeGenerator) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(worker_secret="s3cret-worker-value", step_lease_seconds=120)
    async for client in open_client(create_app(settings, generator=fake)):
        yield client


async def test_held_step_is_503_with_retry_after_then_finished_step_is_200(
    worker_client: httpx.AsyncClient, fake: FakeGenerator
) -> None:
    fake.gate = asyncio.Event()
    job = (await worker_client.post("/v1/jobs", json={"source_text": "Cells divide."})).json()
    step = {"job_id": job["id"], "artifact": "outline", "generation": 0}
    for _ in range(200):  # until the inline queue has claimed the outline
        if (await worker_client.get(f"/v1/jobs/{job['id']}")).json()["status"] == "running":
            break
        await asyncio.sleep(0.005)
    busy = await worker_client.post("/internal/tasks/steps", json=step, headers=SECRET)
    assert busy.status_code == 503
    assert 1 <= int(busy.headers["retry-after"]) <= 120
    assert busy.json()["outcome"] == "retry"

    fake.gate.set()
    assert (await wait_for_job(worker_client, job["id"]))["status"] == "succeeded"
    again = await worker_client.post("/internal/tasks/steps", json=step, headers=SECRET)
    assert again.status_code == 200
    assert again.json()["outcome"] == "skipped"
    assert fake.calls["outline"] == 1  # type: ignore[index]


@pytest.mark.parametrize(
    "body",
    [{"job_id": "j", "artifact": "essay", "generation": 0}, {"job_id": "j", "artifact": "faq", "generation": -1}, {}],
)
async def test_malformed_tasks_are_422(worker_client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await worker_client.post("/internal/tasks/steps", json=body, headers=SECRET)
    assert response.status_code == 422


async def test_the_sweep_endpoint_is_for_the_worker_only_and_answers_what_it_recovered(
    worker_client: httpx.AsyncClient,
) -> None:
    refused = await worker_client.post("/internal/sweep")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"]
    wrong = await worker_client.post("/internal/sweep", headers={"X-CF-Worker-Secret": "guess"})
    assert wrong.status_code == 401

    job = (await worker_client.post("/v1/jobs", json={"source_text": "Cells divide."})).json()
    assert (await wait_for_job(worker_client, job["id"]))["status"] == "succeeded"
    swept = await worker_client.post("/internal/sweep", headers=SECRET)
    assert swept.status_code == 200
    assert swept.json() == {"recovered": {}}  # a healthy service has nothing stranded
