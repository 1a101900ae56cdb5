"""Controls a job's engine does not act on are named: on each artifact of the job, and in /v1/content-types."""

from __future__ import annotations

import httpx

from tests.fixtures.api import wait_for_job
from tests.fixtures.samples import read


async def test_a_job_lists_on_each_artifact_the_controls_its_engine_leaves_unused(
    extractive_client: httpx.AsyncClient,
) -> None:
    body = {"source_text": read("photosynthesis"), "audience": "nurses", "difficulty": "advanced", "focus": "stomata"}
    created = await extractive_client.post("/v1/jobs", json=body)
    assert created.status_code == 202, created.text
    job = await wait_for_job(extractive_client, created.json()["id"])
    assert job["status"] == "succeeded", job
    artifacts = job["artifacts"]
    assert all("audience" in a["unused_controls"] for a in artifacts.values())
    assert artifacts["podcast_script"]["unused_controls"] == ["audience", "difficulty"]
    assert artifacts["flashcards"]["unused_controls"] == ["audience"]
    plain = await extractive_client.post("/v1/jobs", json={"source_text": read("plate_tectonics")})
    job = await wait_for_job(extractive_client, plain.json()["id"])
    assert all(a["unused_controls"] == [] for a in job["artifacts"].values())


async def test_content_types_say_which_controls_the_configured_engine_honours(
    extractive_client: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    listed = (await extractive_client.get("/v1/content-types")).json()
    assert listed["engine"] == "extractive"
    offline = {i["type"]: i for i in listed["items"]}
    assert offline["flashcards"]["honoured_controls"] == ["count", "difficulty", "focus"]
    assert offline["flashcards"]["unused_controls"] == ["audience"]
    assert offline["podcast_script"]["unused_controls"] == ["audience", "difficulty"]
    # A generator that reads everything (as a model does) leaves nothing unused.
    scripted = (await client.get("/v1/content-types")).json()["items"]
    assert all(item["unused_controls"] == [] for item in scripted)
