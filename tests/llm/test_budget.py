"""Daily token budgets against a slow model on the wire (the fake LLM server, the OpenAI SDK): jobs cancelled,
deleted and failing mid-run never let a key spend past its budget by more than one job's estimate, and the key's
count of today's tokens is exactly what the provider served."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from app.content.catalogue import ArtifactType, artifact_types
from app.jobs.models import JobRequest
from app.limits.quotas import estimate_tokens
from app.main import create_app
from tests.fakellm import FakeLLM, Mode
from tests.fixtures.app import MakeSettings, open_client
from tests.llm.conftest import llm_settings

SOURCE = (
    "Glaciers are large masses of ice that move slowly over land. They form where more snow falls than melts. "
    "Moraines are ridges of rock and soil that a glacier leaves behind."
)


async def _served(fake: FakeLLM) -> int:
    return sum(fake.tokens())


async def _key_used(client: httpx.AsyncClient, key_id: str) -> int:
    used: int = (await client.get(f"/v1/admin/keys/{key_id}")).json()["tokens_used_today"]
    return used


async def _wait_for_calls(fake: FakeLLM, at_least: int) -> None:
    for _ in range(2_000):  # bounded in count
        if fake.calls() >= at_least:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the provider saw {fake.calls()} calls, not {at_least}")


async def test_cancelled_deleted_and_failing_jobs_are_charged_every_token_the_provider_served(
    make_settings: MakeSettings,
) -> None:
    one_job = estimate_tokens(JobRequest(source_text=SOURCE, artifacts=artifact_types()), artifact_types())
    budget = one_job + one_job // 2
    with FakeLLM(default=Mode.SLOW, latency=0.15, retry_after=0.05) as fake:
        # The first outline comes back invalid (a re-ask that costs tokens), then fails (retried), then succeeds.
        fake.script = {"outline": [Mode.INVALID, Mode.ERROR, Mode.SLOW]}
        settings = llm_settings(make_settings, "openai", fake, step_concurrency=4)
        async for admin in open_client(create_app(settings)):
            made = await admin.post("/v1/admin/keys", json={"owner": "team", "name": "k", "daily_token_budget": budget})
            key, key_id = made.json()["key"], made.json()["id"]
            user = {"X-API-Key": key}
            outcomes: list[str] = []
            for n in range(40):  # until the budget refuses a job
                created = await admin.post("/v1/jobs", json={"source_text": f"{SOURCE} Run {n}."}, headers=user)
                if created.status_code == 429:
                    outcomes.append(created.json()["error"]["code"])
                    break
                assert created.status_code == 202, created.text
                job_id = created.json()["id"]
                before = fake.calls()
                await _wait_for_calls(fake, before + 3)  # the outline and some of the others are under way
                if n % 2 == 0:
                    outcomes.append((await admin.post(f"/v1/jobs/{job_id}/cancel", headers=user)).json()["status"])
                else:
                    outcomes.append(str((await admin.delete(f"/v1/jobs/{job_id}", headers=user)).status_code))
            assert outcomes[-1] == "quota_exceeded", outcomes
            # Steps that were under way finish after their job went away; their tokens still count.
            used = 0
            for _ in range(2_000):
                used = await _key_used(admin, key_id)
                if used == await _served(fake) and fake.calls() == len(fake.received):
                    await asyncio.sleep(0.5)  # and nothing more arrives
                    if used == await _key_used(admin, key_id) == await _served(fake):
                        break
                await asyncio.sleep(0.02)
            assert used == await _served(fake) > 0
            assert used <= budget + one_job
            detail: dict[str, Any] = (await admin.get(f"/v1/admin/keys/{key_id}")).json()
            assert detail["tokens_used_today"] == used
    assert [r.mode for r in fake.received if r.artifact == ArtifactType.OUTLINE.value][:3] == [
        Mode.INVALID,
        Mode.ERROR,
        Mode.SLOW,
    ]


async def test_a_cancelled_jobs_usage_is_every_token_spent_on_it(make_settings: MakeSettings) -> None:
    with FakeLLM(default=Mode.SLOW, latency=0.15, retry_after=0.05) as fake:
        fake.script = {"outline": [Mode.INVALID, Mode.ERROR, Mode.SLOW]}  # a re-ask, then a retried failure
        async for client in open_client(create_app(llm_settings(make_settings, "openai", fake, step_concurrency=4))):
            job_id = (await client.post("/v1/jobs", json={"source_text": SOURCE})).json()["id"]
            await _wait_for_calls(fake, 6)  # the outline's three attempts, and three artifacts under way
            assert (await client.post(f"/v1/jobs/{job_id}/cancel")).json()["status"] == "cancelled"
            job: dict[str, Any] = {}
            settled = 0
            for _ in range(2_000):  # the steps under way finish after the cancel, and are counted
                job = (await client.get(f"/v1/jobs/{job_id}")).json()
                spent = job["usage"]["input_tokens"] + job["usage"]["output_tokens"]
                calls = sum(1 for r in fake.received if r.mode is not Mode.ERROR)
                settled = settled + 1 if spent == await _served(fake) and job["usage"]["llm_calls"] == calls else 0
                if settled >= 25:  # the same for half a second: nothing is still under way
                    break
                await asyncio.sleep(0.02)
            assert job["usage"]["input_tokens"] + job["usage"]["output_tokens"] == await _served(fake) > 0
            assert job["usage"]["llm_calls"] == sum(1 for r in fake.received if r.mode is not Mode.ERROR)
