"""Prompts v2 against the fake LLM server, through the real SDKs: the calls of a job share a prefix holding the
whole source, cached input tokens reach the job's usage, and lengths are held (a short podcast and a truncated
answer are re-asked with a concrete word count)."""

from __future__ import annotations

import os
from typing import Any

import httpx

from app.content.models import FaqItem
from app.main import create_app
from tests.fakellm import FakeLLM, Mode
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client
from tests.llm.conftest import llm_settings

LONG_SOURCE = " ".join(
    f"Paragraph {i}: volcanoes form where magma rises through the crust and erupts at the surface." for i in range(80)
)  # about 7,000 characters: more than the 1,024 tokens a provider's prompt cache starts at


async def run(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    created = await client.post("/v1/jobs", json={"source_text": LONG_SOURCE, **body})
    assert created.status_code == 202, created.text
    return await wait_for_job(client, created.json()["id"], polls=4000)


async def test_the_nine_calls_share_the_source_as_a_prefix_and_the_job_reports_cached_tokens(
    llm_client: httpx.AsyncClient, fake_llm: FakeLLM
) -> None:
    job = await run(llm_client)
    assert job["status"] == "succeeded", job
    calls = [f"{r.system}\n{r.prompt}" for r in fake_llm.received]
    assert len(calls) == 9  # one per artifact type
    shared = os.path.commonprefix(calls)  # noqa: RUF071 — text, not paths: the character prefix is meant
    assert LONG_SOURCE in shared
    cached = sum(r.cached_tokens for r in fake_llm.received)
    assert cached > 0  # every call after the first was served the prefix from the cache
    assert job["usage"]["cached_input_tokens"] == cached
    assert job["usage"]["input_tokens"] == sum(r.input_tokens for r in fake_llm.received)


async def test_a_podcast_far_from_its_minutes_is_asked_again_with_a_word_target(
    make_settings: MakeSettings, provider: str
) -> None:
    with FakeLLM(retry_after=0.05, latency=0.05) as fake:
        fake.script = {"podcast_script": [Mode.SHORT, Mode.VALID]}
        settings = llm_settings(make_settings, provider, fake)
        async for client in open_client(create_app(settings)):
            job = await run(client, artifacts=["podcast_script"], options={"podcast_script": {"minutes": 8}})
            assert job["status"] == "succeeded", job
            asks = [r for r in fake.received if r.artifact == "podcast_script"]
            assert len(asks) == 2
            assert "about 1200 words in total (your answer had" in asks[1].prompt
            script = (await client.get(f"/v1/jobs/{job['id']}/artifacts/podcast_script")).json()["content"]
            words = sum(len(s["text"].split()) for s in script["segments"])
            assert 0.75 * 1200 <= words <= 1.25 * 1200
            assert script["estimated_minutes"] == round(words / 150, 1)  # from its words, not the model's say


async def test_a_truncated_answer_is_asked_again_with_a_concrete_length(
    make_settings: MakeSettings, provider: str
) -> None:
    with FakeLLM(retry_after=0.05, latency=0.05) as fake:
        fake.script = {"faq": [Mode.TRUNCATED, Mode.VALID]}
        async for client in open_client(create_app(llm_settings(make_settings, provider, fake))):
            job = await run(client, artifacts=["faq"])
            assert job["status"] == "succeeded", job
            asks = [r for r in fake.received if r.artifact == "faq"]
            assert len(asks) == 2
            assert "Write a shorter answer of at most " in asks[1].prompt and " words in total" in asks[1].prompt


def test_questions_in_every_script_end_with_their_own_question_mark() -> None:
    FaqItem(question="光合成とは何ですか？", answer="植物が光からエネルギーを得る仕組みです。")
    FaqItem(question="ما هو التمثيل الضوئي؟", answer="هو العملية التي تصنع بها النباتات غذاءها.")
    FaqItem(question="Τι είναι η φωτοσύνθεση;", answer="Η διαδικασία με την οποία τα φυτά φτιάχνουν τροφή.")


def test_speech_without_spaces_is_counted_in_words_and_budgets_stay_within_the_models_limits() -> None:
    from app.content.catalogue import ArtifactType
    from app.llm.lengths import GROWTH_CEILING, output_budget, spoken_words

    assert spoken_words("光合作用是植物的过程") == 5  # ten characters: about five spoken words
    assert spoken_words("Plants make sugar 光合作用") == 5
    assert output_budget(ArtifactType.PODCAST_SCRIPT, {"minutes": 60}, 8_192) == GROWTH_CEILING
    assert output_budget(ArtifactType.FAQ, {"count": 5}, 8_192) == 8_192
    assert output_budget(ArtifactType.PODCAST_SCRIPT, {"minutes": 60}, 32_000) == 32_000  # the operator's choice
