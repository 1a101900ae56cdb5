"""Evidence from a model's quotes, against the fake LLM server through the real SDKs: verbatim quotes become
evidence whose quote is the source between its offsets; reworded and invented quotes are re-asked within the
re-ask budget and then counted as unsupported, never given offsets."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.fakellm import FakeLLM, Mode
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client
from tests.llm.conftest import llm_settings

SOURCE = " ".join(
    [
        "Volcanoes form where magma rises through the crust and erupts at the surface.",
        "Basaltic lava is runny because it holds little silica, so its eruptions are gentle.",
        "Rhyolitic magma is thick and traps gas, which makes its eruptions explosive.",
        "Shield volcanoes are broad and gently sloping, built from many thin lava flows.",
        "Stratovolcanoes are steep cones of alternating ash and lava layers.",
        "A caldera is the large hollow left when a magma chamber empties and its roof collapses.",
        "Pyroclastic flows are fast avalanches of hot gas, ash and rock that race down a volcano's slopes.",
        "Volcanic ash can travel thousands of kilometres and disrupt air traffic far from the eruption.",
    ]
)
ITEMS = {"flashcards": "cards", "faq": "items", "reading_questions": "questions", "study_guide": "key_concepts"}


async def run(client: httpx.AsyncClient, artifacts: list[str]) -> dict[str, Any]:
    created = await client.post("/v1/jobs", json={"source_text": SOURCE, "artifacts": artifacts})
    assert created.status_code == 202, created.text
    return await wait_for_job(client, created.json()["id"], polls=4000)


async def artifact(client: httpx.AsyncClient, job: dict[str, Any], name: str) -> dict[str, Any]:
    response = await client.get(f"/v1/jobs/{job['id']}/artifacts/{name}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("name", sorted(ITEMS))
async def test_verbatim_quotes_become_evidence_that_is_the_source_between_its_offsets(
    llm_client: httpx.AsyncClient, fake_llm: FakeLLM, name: str
) -> None:
    job = await run(llm_client, ["outline", name])
    assert job["status"] == "succeeded", job
    got = await artifact(llm_client, job, name)
    items = got["content"][ITEMS[name]]
    assert got["grounded"] is True and got["grounding"] == {"supported": len(items), "unsupported": 0}
    for item in items:
        assert item["evidence"], item
        for evidence in item["evidence"]:
            assert SOURCE[evidence["start"] : evidence["end"]] == evidence["quote"]
            assert evidence["source_id"] is None and evidence["page"] is None
    assert fake_llm.calls(name) == 1  # no re-ask was needed
    request = next(r for r in fake_llm.received if r.artifact == name)
    assert "quotes" in request.prompt or "quotes" in request.system


@pytest.mark.parametrize(
    ("script", "calls", "unsupported"),
    [
        (["reworded"], 3, "all"),  # re-asked twice (CF_LLM_MAX_REASKS), then every card unsupported
        (["invented"], 3, "all"),
        (["half"], 3, "half"),
        (["invented", "valid"], 2, "none"),  # the re-ask fixed it
    ],
)
async def test_quotes_not_in_the_source_are_asked_again_within_the_budget_then_counted(
    make_settings: MakeSettings, fake_llm: FakeLLM, provider: str, script: list[str], calls: int, unsupported: str
) -> None:
    fake_llm.script = {"flashcards": [Mode(m) for m in script]}
    settings = llm_settings(make_settings, provider, fake_llm)
    async for client in open_client(create_app(settings)):
        job = await run(client, ["outline", "flashcards"])
        assert job["status"] == "succeeded", job
        got = await artifact(client, job, "flashcards")
    cards = got["content"]["cards"]
    expected = {"all": len(cards), "half": len(cards) // 2, "none": 0}[unsupported]
    assert got["grounding"] == {"supported": len(cards) - expected, "unsupported": expected}
    assert fake_llm.calls("flashcards") == calls
    for card in cards:
        for evidence in card["evidence"]:  # never invented: whatever evidence there is, is the source's text
            assert SOURCE[evidence["start"] : evidence["end"]] == evidence["quote"]
    if calls > 1:
        reask = [r for r in fake_llm.received if r.artifact == "flashcards"][1]
        assert "word for word" in reask.prompt


async def test_a_topic_only_job_is_not_grounded_and_asks_for_no_quotes(
    llm_client: httpx.AsyncClient, fake_llm: FakeLLM
) -> None:
    created = await llm_client.post("/v1/jobs", json={"topic": "Volcanoes", "artifacts": ["outline", "faq"]})
    job = await wait_for_job(llm_client, created.json()["id"], polls=4000)
    assert job["status"] == "succeeded", job
    got = await artifact(llm_client, job, "faq")
    assert got["grounded"] is False and got["grounding"] is None
    assert all(item["evidence"] == [] for item in got["content"]["items"])
