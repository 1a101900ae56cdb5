"""Daily token quotas: refused before any model is called, usage recorded per key as steps finish."""

from __future__ import annotations

from app.content.catalogue import ArtifactOptions, ArtifactType, artifact_types
from app.content.generator import Generated, GenerationTask, Usage
from app.jobs.models import JobRequest
from app.limits.quotas import estimate_tokens
from app.main import create_app
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator

SOURCE = "Mitochondria produce energy for the cell through respiration."
# Keys below are made for the owner "admin", so the test client (the bootstrap admin key) can poll their jobs.


def test_estimates_grow_with_the_source_and_the_artifacts_asked_for() -> None:
    short = JobRequest(source_text="x" * 4_000, artifacts=(ArtifactType.OUTLINE,))
    long = JobRequest(source_text="x" * 40_000, artifacts=(ArtifactType.OUTLINE,))
    outline = [ArtifactType.OUTLINE]
    assert estimate_tokens(long, outline) - estimate_tokens(short, outline) == 9_000  # 4 characters a token
    assert estimate_tokens(short, artifact_types()) > estimate_tokens(short, outline)
    many = JobRequest(
        source_text="x",
        artifacts=(ArtifactType.FLASHCARDS,),
        options=ArtifactOptions.model_validate({"flashcards": {"count": 50}}),
    )
    few = JobRequest(
        source_text="x",
        artifacts=(ArtifactType.FLASHCARDS,),
        options=ArtifactOptions.model_validate({"flashcards": {"count": 5}}),
    )
    assert estimate_tokens(many, [ArtifactType.FLASHCARDS]) > estimate_tokens(few, [ArtifactType.FLASHCARDS])


async def test_a_job_over_the_budget_is_refused_before_any_model_is_called(make_settings: MakeSettings) -> None:
    fake = FakeGenerator()
    async for client in open_client(create_app(make_settings(), generator=fake)):
        created = await client.post("/v1/admin/keys", json={"owner": "small", "name": "k", "daily_token_budget": 3_000})
        key = {"X-API-Key": created.json()["key"]}
        response = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers=key)  # every artifact type
        assert response.status_code == 429, response.text
        error = response.json()["error"]
        assert error["code"] == "quota_exceeded"
        assert error["details"]["budget"] == 3_000 and error["details"]["used"] == 0
        assert error["details"]["estimate"] > 3_000
        assert 1 <= int(response.headers["retry-after"]) <= 86_400
        assert sum(fake.calls.values()) == 0
        assert (await client.get("/v1/jobs", headers=key)).json()["items"] == []
        assert (
            await client.post("/v1/jobs", json={"source_text": SOURCE, "artifacts": ["outline"]}, headers=key)
        ).status_code == 202


async def test_usage_is_recorded_per_key_as_steps_finish_and_counts_against_the_budget(
    make_settings: MakeSettings,
) -> None:
    fake = FakeGenerator()  # every generation reports 10 input tokens
    async for client in open_client(create_app(make_settings(), generator=fake)):
        outline_only = {"source_text": SOURCE, "artifacts": ["outline"]}
        budget = estimate_tokens(
            JobRequest(source_text=SOURCE, artifacts=(ArtifactType.OUTLINE,)), [ArtifactType.OUTLINE]
        )
        created = await client.post(
            "/v1/admin/keys", json={"owner": "admin", "name": "k", "daily_token_budget": budget + 5}
        )
        key_id, key = created.json()["id"], {"X-API-Key": created.json()["key"]}

        first = await client.post("/v1/jobs", json=outline_only, headers=key)
        assert first.status_code == 202
        await wait_for_job(client, first.json()["id"])
        assert (await client.get(f"/v1/admin/keys/{key_id}")).json()["tokens_used_today"] == 10

        second = await client.post("/v1/jobs", json=outline_only, headers=key)  # 10 used + estimate > budget
        assert second.status_code == 429 and second.json()["error"]["details"]["used"] == 10
        assert fake.calls[ArtifactType.OUTLINE] == 1


class CostlyGenerator(FakeGenerator):
    """Reports 5,000 tokens per artifact it generates."""

    async def generate(self, task: GenerationTask) -> Generated:
        generated = await super().generate(task)
        return Generated(content=generated.content, usage=Usage(input_tokens=5_000, llm_calls=1))


async def test_retrying_failed_artifacts_is_admitted_against_the_budget_too(make_settings: MakeSettings) -> None:
    fake = CostlyGenerator(permanent={ArtifactType.FAQ})
    async for client in open_client(create_app(make_settings(), generator=fake)):
        request = JobRequest(source_text=SOURCE, artifacts=(ArtifactType.OUTLINE, ArtifactType.FAQ))
        budget = estimate_tokens(request, request.artifacts)  # the job fits; its outline then uses 5,000
        created = await client.post(
            "/v1/admin/keys", json={"owner": "admin", "name": "k", "daily_token_budget": budget}
        )
        key = {"X-API-Key": created.json()["key"]}
        job = (await client.post("/v1/jobs", json={"source_text": SOURCE, "artifacts": ["faq"]}, headers=key)).json()
        assert (await wait_for_job(client, job["id"]))["status"] == "partial"
        fake.permanent.clear()
        retry = await client.post(f"/v1/jobs/{job['id']}/retry", headers=key)
        assert retry.status_code == 429 and retry.json()["error"]["code"] == "quota_exceeded"
        assert retry.json()["error"]["details"]["used"] == 5_000
        assert fake.calls[ArtifactType.FAQ] == 1  # only the first, failed, attempt
