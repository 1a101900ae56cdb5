"""The jobs API over ASGI, with a scripted generator."""

from __future__ import annotations

import asyncio

import httpx

from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Scope
from app.auth.service import stored_key
from app.config import Settings
from app.content.catalogue import ArtifactType
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings
from tests.fixtures.fake_generator import FakeGenerator

SOURCE = "Mitochondria produce energy for the cell through respiration."
ALL = {
    "outline",
    "podcast_script",
    "study_guide",
    "one_pager",
    "detailed_reading",
    "faq",
    "flashcards",
    "reading_questions",
    "quiz",
}


async def test_create_returns_202_with_location_and_runs_to_success(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/jobs", json={"source_text": SOURCE})
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] in {"queued", "running"}
    assert set(job["artifacts"]) == ALL

    done = await wait_for_job(client, job["id"])
    assert done["status"] == "succeeded"
    assert done["progress"] == {"done": 9, "total": 9, "percent": 100}
    assert done["usage"]["llm_calls"] == 9
    assert done["finished_at"] is not None
    for artifact in ALL:
        got = await client.get(f"/v1/jobs/{job['id']}/artifacts/{artifact}")
        assert got.status_code == 200, got.text
        body = got.json()
        assert body["type"] == artifact
        assert body["generated_by"] == {"provider": "fake", "model": "fake-1", "prompt_version": "fake-1"}
        assert body["cached"] is False


async def test_subset_always_includes_the_outline(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/jobs", json={"source_text": SOURCE, "artifacts": ["faq"], "options": {"faq": {"count": 6}}}
    )
    job = await wait_for_job(client, response.json()["id"])
    assert set(job["artifacts"]) == {"outline", "faq"}
    faq = (await client.get(f"/v1/jobs/{job['id']}/artifacts/faq")).json()
    assert len(faq["content"]["items"]) == 6
    missing = await client.get(f"/v1/jobs/{job['id']}/artifacts/flashcards")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "artifact_not_requested"


async def test_same_text_again_comes_from_the_cache(client: httpx.AsyncClient, fake: FakeGenerator) -> None:
    first = await wait_for_job(client, (await client.post("/v1/jobs", json={"source_text": SOURCE})).json()["id"])
    calls = sum(fake.calls.values())
    second = await wait_for_job(client, (await client.post("/v1/jobs", json={"source_text": SOURCE})).json()["id"])
    assert first["status"] == second["status"] == "succeeded"
    assert sum(fake.calls.values()) == calls
    assert all(a["cached"] for a in second["artifacts"].values())
    assert second["usage"]["llm_calls"] == 0


async def test_idempotency_key_same_body_same_job_other_body_409(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "order-42"}
    first = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers=headers)
    again = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers=headers)
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    other = await client.post("/v1/jobs", json={"source_text": SOURCE + " More."}, headers=headers)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    listed = (await client.get("/v1/jobs")).json()["items"]
    assert [j["id"] for j in listed] == [first.json()["id"]]


async def test_concurrent_requests_with_one_idempotency_key_make_one_job(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "burst"}
    responses = await asyncio.gather(
        *(client.post("/v1/jobs", json={"source_text": SOURCE}, headers=headers) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 202]
    assert len({r.json()["id"] for r in responses}) == 1


async def test_list_is_newest_first_with_cursor_pages_and_status_filter(client: httpx.AsyncClient) -> None:
    ids = []
    for i in range(5):
        created = await client.post("/v1/jobs", json={"source_text": f"Text number {i} about cells."})
        ids.append(created.json()["id"])
        await wait_for_job(client, ids[-1])
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/jobs", params=params)).json()
        seen += [j["id"] for j in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    succeeded = (await client.get("/v1/jobs", params={"status": "succeeded", "limit": 100})).json()
    assert len(succeeded["items"]) == 5
    running = (await client.get("/v1/jobs", params={"status": "running"})).json()
    assert running == {"items": [], "next_cursor": None}


async def test_a_job_is_invisible_to_another_owner(client: httpx.AsyncClient, make_settings: MakeSettings) -> None:
    settings: Settings = make_settings()
    other_key = "cf_other_owner_key_abcdefghijklmnopqrstuvwxyz0123456789"
    store = await SqliteStore.open(settings.sqlite_path)
    await store.put_key(
        stored_key(
            other_key,
            settings.pepper,
            owner="someone-else",
            name="t",
            scopes=(Scope.JOBS_READ, Scope.JOBS_WRITE),
        )
    )
    await store.close()
    job = (await client.post("/v1/jobs", json={"source_text": SOURCE})).json()
    other = {"X-API-Key": other_key}
    for method, path in [
        ("GET", f"/v1/jobs/{job['id']}"),
        ("GET", f"/v1/jobs/{job['id']}/artifacts/outline"),
        ("POST", f"/v1/jobs/{job['id']}/cancel"),
        ("POST", f"/v1/jobs/{job['id']}/retry"),
        ("DELETE", f"/v1/jobs/{job['id']}"),
    ]:
        response = await client.request(method, path, headers=other)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "job_not_found"
    assert (await client.get("/v1/jobs", headers=other)).json()["items"] == []


async def test_cancel_a_running_job(client: httpx.AsyncClient, fake: FakeGenerator) -> None:
    fake.gate = asyncio.Event()
    job = (await client.post("/v1/jobs", json={"source_text": SOURCE})).json()
    not_ready = await client.get(f"/v1/jobs/{job['id']}/artifacts/outline")
    assert not_ready.status_code == 409
    assert not_ready.json()["error"]["code"] == "artifact_not_ready"
    cancelled = await client.post(f"/v1/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    fake.gate.set()
    final = await wait_for_job(client, job["id"])
    assert final["status"] == "cancelled"
    assert all(a["status"] == "cancelled" for a in final["artifacts"].values())
    again = await client.post(f"/v1/jobs/{job['id']}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "job_finished"


async def test_retry_reruns_only_failed_artifacts(client: httpx.AsyncClient, fake: FakeGenerator) -> None:
    fake.permanent = {ArtifactType.FAQ}
    job = await wait_for_job(client, (await client.post("/v1/jobs", json={"source_text": SOURCE})).json()["id"])
    assert job["status"] == "partial"
    assert job["artifacts"]["faq"]["status"] == "failed"
    assert job["artifacts"]["faq"]["error"] == {
        "code": "policy_refusal",
        "message": "The provider refused the request.",
    }
    before = dict(fake.calls)
    fake.permanent = set()
    retried = await client.post(f"/v1/jobs/{job['id']}/retry")
    assert retried.status_code == 202
    final = await wait_for_job(client, job["id"])
    assert final["status"] == "succeeded"
    delta = {a: fake.calls[a] - before.get(a, 0) for a in fake.calls}
    assert {a.value: n for a, n in delta.items() if n} == {"faq": 1}
    refused = await client.post(f"/v1/jobs/{job['id']}/retry")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "job_not_retryable"


async def test_delete_removes_job_and_artifacts(client: httpx.AsyncClient) -> None:
    job = await wait_for_job(client, (await client.post("/v1/jobs", json={"source_text": SOURCE})).json()["id"])
    assert (await client.delete(f"/v1/jobs/{job['id']}")).status_code == 204
    assert (await client.get(f"/v1/jobs/{job['id']}")).status_code == 404
    assert (await client.get(f"/v1/jobs/{job['id']}/artifacts/outline")).status_code == 404
    assert (await client.delete(f"/v1/jobs/{job['id']}")).status_code == 404


async def test_content_types_publish_schemas_and_control_ranges(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/content-types")).json()
    by_type = {item["type"]: item for item in body["items"]}
    assert set(by_type) == ALL
    assert by_type["flashcards"]["controls"]["count"] == {
        "type": "integer",
        "default": 15,
        "minimum": 5,
        "maximum": 50,
        "description": "Number of cards.",
        "available": True,
    }
    assert by_type["quiz"]["controls"]["count"] == {
        "type": "integer",
        "default": 10,
        "minimum": 5,
        "maximum": 30,
        "description": "Number of multiple-choice questions.",
        "available": True,
    }
    assert by_type["outline"]["derived_from_outline"] is False
    assert "cards" in by_type["flashcards"]["schema"]["properties"]
    assert "options" in by_type["quiz"]["schema"]["$defs"]["QuizQuestion"]["properties"]
    assert by_type["outline"]["schema"]["properties"]["sections"]["minItems"] == 3


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz", headers={"X-API-Key": ""})).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"store": "ok", "cache": "ok"}}


async def test_without_redis_the_service_is_ready_degraded_and_jobs_still_run(
    make_settings: MakeSettings,
) -> None:
    from app.main import create_app
    from tests.fixtures.app import open_client
    from tests.fixtures.services import free_port

    settings = make_settings(cache="redis", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    async for c in open_client(create_app(settings, generator=FakeGenerator())):
        ready = await c.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"store": "ok", "cache": "degraded"}}
        job = await wait_for_job(c, (await c.post("/v1/jobs", json={"source_text": SOURCE})).json()["id"])
        assert job["status"] == "succeeded"  # no Redis, no cache, no failure
