"""Gemini's explicit context cache and thinking budget, through the real SDK against the fake LLM server: a job's
calls share one cache holding the source, a refused or lapsed cache falls back to sending the source, and each
call's thinking budget sits on top of its output budget."""

from __future__ import annotations

import os

import pytest

from app.content.catalogue import ArtifactType
from app.llm.lengths import thinking_budget
from app.llm.providers.base import Message
from app.llm.providers.gemini import GeminiClient
from app.main import create_app
from tests.fakellm import FakeLLM
from tests.fixtures.app import MakeSettings, open_client
from tests.llm.conftest import llm_settings
from tests.llm.test_prompts_v2 import LONG_SOURCE, run

OPENING = "Source material for this course.\n" + LONG_SOURCE + "\nThe source material has ended.\n"


def gemini(fake: FakeLLM, **options: object) -> GeminiClient:
    return GeminiClient.open(
        model="fake-model",
        api_key="test",
        vertexai=False,
        project=None,
        location="us-central1",
        base_url=fake.gemini_url,
        timeout=10,
        temperature=0.2,
        **{"cache_seconds": 600, "cache_min_tokens": 1024, **options},  # type: ignore[arg-type]
    )


async def test_the_calls_of_a_job_share_one_cache_that_holds_the_source(
    make_settings: MakeSettings, fake_llm: FakeLLM
) -> None:
    settings = llm_settings(make_settings, "gemini", fake_llm, llm_context_cache_min_tokens=1024)
    async for client in open_client(create_app(settings)):
        job = await run(client)
        assert job["status"] == "succeeded", job
    created = [r for r in fake_llm.cache_requests if r.startswith("create")]
    assert len(created) == 1, fake_llm.cache_requests  # nine calls, some concurrent: one cache
    name = created[0].removeprefix("create ")
    assert [r.cache for r in fake_llm.received] == [name] * 9
    for record in fake_llm.received:
        assert LONG_SOURCE in record.prompt  # what the model reads: the cache, then the request
        assert LONG_SOURCE not in record.sent  # what went over the wire: the request alone
    cached = sum(r.cached_tokens for r in fake_llm.received)
    assert cached >= 9 * len(LONG_SOURCE) // 4
    assert job["usage"]["cached_input_tokens"] == cached
    assert f"delete {name}" in fake_llm.cache_requests  # closing the client frees the cache's storage


async def test_an_opening_gemini_will_not_cache_is_asked_about_once_and_then_sent_whole(
    make_settings: MakeSettings, fake_llm: FakeLLM
) -> None:
    fake_llm.explicit_min_tokens = 1_000_000
    settings = llm_settings(make_settings, "gemini", fake_llm, llm_context_cache_min_tokens=1024)
    async for client in open_client(create_app(settings)):
        job = await run(client)
        assert job["status"] == "succeeded", job
    assert fake_llm.cache_requests == ["refuse"]
    assert all(r.cache is None and LONG_SOURCE in r.sent for r in fake_llm.received)
    shared = os.path.commonprefix([f"{r.system}\n{r.prompt}" for r in fake_llm.received])  # noqa: RUF071
    assert LONG_SOURCE in shared  # the implicit cache can still serve the prefix


async def test_a_small_opening_is_never_cached_explicitly(fake_llm: FakeLLM) -> None:
    client = gemini(fake_llm, cache_min_tokens=100_000)
    try:
        await client.complete(
            system="Teach.",
            messages=[Message("user", OPENING + "Write the FAQ.")],
            schema=None,
            schema_name="faq",
            max_output_tokens=512,
            shared_prefix=len(OPENING),
        )
    finally:
        await client.close()
    assert fake_llm.cache_requests == []
    assert fake_llm.received[0].cache is None


async def test_a_lapsed_cache_falls_back_to_the_whole_prompt_and_is_created_again(fake_llm: FakeLLM) -> None:
    client = gemini(fake_llm)

    async def ask(task: str) -> str:
        completion = await client.complete(
            system="Teach.",
            messages=[Message("user", OPENING + task)],
            schema=None,
            schema_name="faq",
            max_output_tokens=512,
            shared_prefix=len(OPENING),
        )
        return completion.finish.value

    try:
        assert await ask("Write the FAQ.") == "stop"
        fake_llm.drop_caches()  # Gemini let it lapse
        assert await ask("Write the flashcards.") == "stop"
        assert await ask("Write the quiz.") == "stop"
    finally:
        await client.close()
    # The call naming the lapsed cache got a 403 and is not recorded; it was made again with the whole prompt.
    first, fallback, again = fake_llm.received
    assert first.cache is not None
    assert fallback.cache is None and OPENING in fallback.sent
    assert again.cache is not None and again.cache != first.cache
    assert [r.split()[0] for r in fake_llm.cache_requests] == ["create", "create", "delete"]


@pytest.mark.parametrize("thinking", ["sized", "model"])
async def test_each_call_gets_a_thinking_budget_on_top_of_its_output(
    make_settings: MakeSettings, fake_llm: FakeLLM, thinking: str
) -> None:
    settings = llm_settings(make_settings, "gemini", fake_llm, llm_thinking=thinking, llm_max_output_tokens=4096)
    async for client in open_client(create_app(settings)):
        job = await run(
            client, artifacts=["outline", "faq", "podcast_script"], options={"podcast_script": {"minutes": 30}}
        )
        assert job["status"] == "succeeded", job
    seen = {r.artifact: r for r in fake_llm.received}
    for artifact, record in seen.items():
        if thinking == "model":
            assert record.thinking_budget is None and record.max_output_tokens is not None
            continue
        assert record.thinking_budget is not None and record.max_output_tokens is not None
        answer = record.max_output_tokens - record.thinking_budget
        assert record.thinking_budget == thinking_budget(ArtifactType(artifact), answer)
    if thinking == "sized":
        # The outline orders the whole source; a 30-minute script needs room to write and to think.
        assert seen["outline"].thinking_budget == 4096
        assert seen["podcast_script"].thinking_budget > seen["faq"].thinking_budget  # type: ignore[operator]
