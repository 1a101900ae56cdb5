"""The job body is rendered once per version of a job, and never served stale."""

from __future__ import annotations

import gc
import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from app.adapters.sqlite_store import SqliteStore
from app.api.job_views import JobViews
from app.content.catalogue import ArtifactType
from app.jobs.models import Job, StepStatus
from app.jobs.schemas import JobPublic
from tests.jobs.test_store_contract import T0, make_job


def test_the_body_is_the_public_job() -> None:
    job = make_job("j1")
    assert json.loads(JobViews().body(job)) == json.loads(JobPublic.of(job).model_dump_json())


def test_the_same_job_object_is_rendered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    views, job = JobViews(), make_job("j1")
    first = views.body(job)
    renders = 0
    original = JobPublic.of

    def counting(job: Job) -> JobPublic:
        nonlocal renders
        renders += 1
        return original(job)

    monkeypatch.setattr(JobPublic, "of", counting)
    assert views.body(job) is first
    assert renders == 0


def test_another_object_for_the_same_job_is_rendered_afresh() -> None:
    views, job = JobViews(), make_job("j1")
    views.body(job)
    changed = job.model_copy(deep=True)
    changed.steps[ArtifactType.OUTLINE].status = StepStatus.RUNNING
    changed.refresh(T0 + timedelta(seconds=1))
    assert json.loads(views.body(changed))["artifacts"]["outline"]["status"] == "running"


def test_a_collected_job_is_never_mistaken_for_a_new_one() -> None:
    views = JobViews()
    views.body(make_job("j1"))  # the job object is garbage at once; its id may be reused
    gc.collect()
    job = make_job("j1")
    job.steps[ArtifactType.OUTLINE].status = StepStatus.RUNNING
    assert json.loads(views.body(job))["artifacts"]["outline"]["status"] == "running"


def test_at_most_size_bodies_are_kept() -> None:
    views = JobViews(size=2)
    jobs = [make_job(f"j{i}") for i in range(3)]
    for job in jobs:
        views.body(job)
    assert len(views._bodies) == 2
    assert "j0" not in views._bodies


async def test_polling_through_the_store_sees_every_write(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "jobs.db")
    try:
        views = JobViews()
        await store.create_job(make_job("j1"))
        stored = await store.get_job("j1")
        assert stored is not None
        assert json.loads(views.body(stored))["artifacts"]["outline"]["status"] == "queued"

        def start(job: Job) -> None:
            job.steps[ArtifactType.OUTLINE].status = StepStatus.RUNNING
            job.refresh(T0 + timedelta(seconds=1))

        await store.update_job("j1", start)
        polled = await store.get_job("j1")
        assert polled is not None
        assert json.loads(views.body(polled))["artifacts"]["outline"]["status"] == "running"
    finally:
        await store.close()


@pytest.mark.parametrize("job_id", ["bad!id", "j" * 65])
async def test_polling_checks_the_credential_before_the_job_id(client: httpx.AsyncClient, job_id: str) -> None:
    anonymous = await client.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": ""})
    assert anonymous.status_code == 401  # as on every other /v1 route: nothing is answered before the credential
    malformed = await client.get(f"/v1/jobs/{job_id}")
    assert malformed.status_code == 422
    assert malformed.json()["error"]["details"][0]["field"] == "job_id"
    assert "x-ratelimit-remaining" in malformed.headers  # counted against the caller's read limit
