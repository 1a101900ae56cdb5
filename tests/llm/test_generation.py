"""Both providers through their real SDKs against the fake LLM server: a full job, every fault mode with the
number of provider calls the policy allows, topic-only jobs, language, long sources, usage and cost."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest

from app.main import create_app
from tests.fakellm import FakeLLM
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client, text
from tests.llm.conftest import PRICE, llm_settings

ALL = [
    "outline", "podcast_script", "study_guide", "one_pager",
    "detailed_reading", "faq", "flashcards", "reading_questions", "quiz",
]  # fmt: skip


async def run(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    payload = {"source_text": "Volcanoes form where magma reaches the surface.", **body}
    created = await client.post("/v1/jobs", json=payload)
    assert created.status_code == 202, created.text
    return await wait_for_job(client, created.json()["id"], polls=4000)


async def test_a_full_job_succeeds_and_every_artifact_validates(
    llm_client: httpx.AsyncClient, fake_llm: FakeLLM, provider: str
) -> None:
    job = await run(llm_client)
    assert job["status"] == "succeeded", job
    schemas = {t["type"]: t["schema"] for t in (await llm_client.get("/v1/content-types")).json()["items"]}
    for artifact in ALL:
        body = (await llm_client.get(f"/v1/jobs/{job['id']}/artifacts/{artifact}")).json()
        jsonschema.validate(body["content"], schemas[artifact])
        assert body["generated_by"] == {"provider": provider, "model": "fake-model", "prompt_version": "v2"}
    assert fake_llm.by_artifact() == {a: 1 for a in ALL}
    assert {r.api for r in fake_llm.received} == {provider}


@pytest.mark.parametrize(
    ("mode", "status", "calls", "error"),
    [
        (["fenced"], "succeeded", 1, None),
        (["prose"], "succeeded", 1, None),
        (["slow"], "succeeded", 1, None),
        (["truncated", "valid"], "succeeded", 2, None),
        (["invalid", "valid"], "succeeded", 2, None),
        (["invalid"], "failed", 3, "invalid_output"),  # 1 ask + CF_LLM_MAX_REASKS (2) re-asks
        (["truncated"], "failed", 3, "invalid_output"),
        (["refusal"], "failed", 1, "policy_refusal"),
        (["rate_limit", "valid"], "succeeded", 2, None),
        (["error", "error", "valid"], "succeeded", 3, None),
        (["error"], "failed", 8, "retries_exhausted"),  # 4 transport attempts x 2 step attempts
    ],
)
async def test_each_fault_mode_ends_as_the_policy_says(
    llm_client: httpx.AsyncClient,
    fake_llm: FakeLLM,
    mode: list[str],
    status: str,
    calls: int,
    error: str | None,
) -> None:
    fake_llm.script = {"faq": list(mode)}
    job = await run(llm_client)
    faq = job["artifacts"]["faq"]
    assert faq["status"] == status, faq
    assert fake_llm.calls("faq") == calls
    if error:
        assert faq["error"]["code"] == error
        assert faq["error"]["message"]
        assert job["status"] == "partial"
    else:
        assert job["status"] == "succeeded"


async def test_invalid_output_reasks_show_the_model_its_errors(
    llm_client: httpx.AsyncClient, fake_llm: FakeLLM
) -> None:
    fake_llm.script = {"flashcards": ["invalid", "valid"]}
    await run(llm_client)
    reask = [r for r in fake_llm.received if r.artifact == "flashcards"][1]
    assert "could not be used" in reask.prompt
    assert "cards" in reask.prompt  # the validation error names the missing field


async def test_a_topic_only_job_works(llm_client: httpx.AsyncClient, fake_llm: FakeLLM) -> None:
    created = await llm_client.post("/v1/jobs", json={"topic": "Plate tectonics"})
    assert created.status_code == 202, created.text
    job = await wait_for_job(llm_client, created.json()["id"], polls=4000)
    assert job["status"] == "succeeded"
    outline = (await llm_client.get(f"/v1/jobs/{job['id']}/artifacts/outline")).json()["content"]
    assert "Plate tectonics" in outline["title"]
    assert all("Topic: Plate tectonics" in r.prompt for r in fake_llm.received)


async def test_the_language_reaches_every_prompt(llm_client: httpx.AsyncClient, fake_llm: FakeLLM) -> None:
    job = await run(llm_client, language="de")
    assert job["status"] == "succeeded"
    assert len(fake_llm.received) == 9
    for request in fake_llm.received:
        assert "Schreibe alle Inhalte ausschließlich auf Deutsch." in request.prompt
        assert "German" in request.system


async def test_usage_and_cost_match_what_the_server_reported(llm_client: httpx.AsyncClient, fake_llm: FakeLLM) -> None:
    job = await run(llm_client)
    tokens_in, tokens_out = fake_llm.tokens()
    assert job["usage"]["input_tokens"] == tokens_in
    assert job["usage"]["output_tokens"] == tokens_out
    assert job["usage"]["llm_calls"] == 9
    expected = (tokens_in * PRICE["input"] + tokens_out * PRICE["output"]) / 1_000_000
    assert job["usage"]["cost_usd"] == pytest.approx(expected, rel=1e-6)
    per_artifact = sum(a["usage"]["input_tokens"] for a in job["artifacts"].values())
    assert per_artifact == tokens_in


async def test_a_long_source_is_condensed_in_chunks_then_the_job_succeeds(
    make_settings: MakeSettings, provider: str, fake_llm: FakeLLM
) -> None:
    settings = llm_settings(make_settings, provider, fake_llm, llm_max_input_tokens=4_000)
    source = "\n\n".join(text(name) for name in ("photosynthesis.txt", "plate_tectonics.txt", "french_revolution.txt"))
    async for client in open_client(create_app(settings)):
        job = await run(client, source_text=source)
    assert job["status"] == "succeeded", job
    parts = fake_llm.calls("notes")
    assert parts >= 3
    outline_prompt = next(r.prompt for r in fake_llm.received if r.artifact == "outline")
    assert len(outline_prompt) < len(source)  # notes, not the whole source
    assert job["usage"]["llm_calls"] == 9 + parts  # condensing is paid for, once


async def test_a_provider_that_keeps_failing_opens_the_circuit(
    make_settings: MakeSettings, provider: str, fake_llm: FakeLLM
) -> None:
    settings = llm_settings(
        make_settings,
        provider,
        fake_llm,
        llm_circuit_failures=2,
        llm_circuit_cooldown_seconds=600,
        llm_retry_attempts=4,
        step_max_attempts=1,
    )
    fake_llm.script = {"*": ["error"]}
    async for client in open_client(create_app(settings)):
        job = await run(client, artifacts=["outline"])
    outline = job["artifacts"]["outline"]
    assert outline["status"] == "failed"
    assert fake_llm.calls() == 2  # then the breaker answers for the provider, without calling it
    assert "paused" in outline["error"]["message"]


async def test_each_provider_call_is_counted_by_outcome(
    llm_client: httpx.AsyncClient, fake_llm: FakeLLM, provider: str
) -> None:
    fake_llm.script = {"faq": ["rate_limit", "invalid", "valid"]}
    await run(llm_client)
    exposition = (await llm_client.get("/metrics")).text
    labels = ('artifact="faq"', 'model="fake-model"', f'provider="{provider}"')

    def calls(outcome: str) -> float:
        line = next(
            row for row in exposition.splitlines()
            if row.startswith("cf_llm_calls_total{")
            and all(label in row for label in (*labels, f'outcome="{outcome}"'))
        )  # fmt: skip
        return float(line.rsplit(" ", 1)[1])

    assert (calls("rate_limited"), calls("invalid_output"), calls("ok")) == (1, 1, 1)
    assert f'cf_llm_circuit_open{{provider="{provider}"}} 0.0' in exposition
