"""The job route's representation: an ETag per version, 304 for a client that has it, one render per version."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
from fastapi import Request

from app.api.deps import READER, Caller, services_of
from app.api.job_views import JobViews
from app.auth.models import Principal, Scope
from app.content.catalogue import ArtifactType
from app.jobs import lifecycle
from app.jobs.models import ErrorInfo
from app.jobs.queue import Step
from app.jobs.schemas import JobPublic
from app.main import create_app
from tests.fixtures.api import FINISHED, wait_for_job
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.jobs import T0, make_job


def test_the_body_is_the_public_job() -> None:
    job = make_job("j1")
    assert json.loads(JobViews().body(job)) == json.loads(JobPublic.of(job).model_dump_json())


def test_a_new_version_is_rendered_afresh_and_gets_a_new_etag() -> None:
    views, job = JobViews(), make_job("j1")
    first, tag = views.body(job), views.etag(job)
    changed = job.model_copy(deep=True)
    lifecycle.claim_step(Step("j1", ArtifactType.OUTLINE), T0 + timedelta(seconds=1), 60)(changed)
    assert views.etag(changed) != tag
    assert json.loads(views.body(changed))["artifacts"]["outline"]["status"] == "running"
    assert json.loads(first)["artifacts"]["outline"]["status"] == "queued"


def test_one_version_of_one_job_is_one_body() -> None:
    views = JobViews()
    job = make_job("j1")
    other = make_job("j2")  # the same version number, another job
    assert views.body(job) == views.body(job.model_copy(deep=True))
    assert json.loads(views.body(other))["id"] == "j2"


@pytest.mark.parametrize(
    ("header", "matches"),
    [(None, False), ("", False), ("*", True), ("{t}", True), ("W/{t}", True), ('"0", {t}', True), ('"x"', False)],
)
def test_if_none_match_is_compared_weakly(header: str | None, matches: bool) -> None:
    job = make_job("j1")
    sent = header.format(t=JobViews.etag(job)) if header else header
    assert JobViews().matches(job, sent) is matches


def test_a_reused_version_number_is_not_mistaken_for_the_same_body() -> None:
    """A job written by a store restored from a backup, say, may carry a version number seen before."""
    views, job = JobViews(), make_job("j1")
    views.body(job)
    again = job.model_copy(deep=True)
    lifecycle.cancel(T0 + timedelta(seconds=5))(again)
    again.version = job.version
    assert views.etag(again) != views.etag(job)
    assert json.loads(views.body(again))["status"] == "cancelled"


def test_a_job_keeps_one_body_however_many_versions_it_had() -> None:
    views = JobViews(size=2)
    job, other = make_job("j1"), make_job("j2")
    views.body(other)
    for n in range(5):  # five versions of one busy job
        job = job.model_copy(deep=True)
        lifecycle.claim_step(Step("j1", ArtifactType.OUTLINE), T0 + timedelta(seconds=n + 1), 60)(job)
        lifecycle.release_for_retry(
            Step("j1", ArtifactType.OUTLINE), T0 + timedelta(seconds=n + 1.5), ErrorInfo(code="x", message="x")
        )(job)
        views.body(job)
    assert views.body(other) == views.body(other.model_copy(deep=True))  # still kept: not pushed out


async def test_polling_with_the_etag_is_304_until_the_job_changes(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/jobs", json={"topic": "Photosynthesis", "source_text": _TEXT})
    job_id = created.json()["id"]
    await wait_for_job(client, job_id)
    tag = (await client.get(f"/v1/jobs/{job_id}")).headers["etag"]
    same = await client.get(f"/v1/jobs/{job_id}", headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == tag
    stale = await client.get(f"/v1/jobs/{job_id}", headers={"If-None-Match": '"0"'})
    assert stale.status_code == 200 and stale.json()["id"] == job_id

    await client.delete(f"/v1/jobs/{job_id}")
    gone = await client.get(f"/v1/jobs/{job_id}", headers={"If-None-Match": tag})
    assert gone.status_code == 404


async def test_a_change_changes_the_etag(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/jobs", json={"source_text": _TEXT})
    job_id = created.json()["id"]
    tags = set()
    for _ in range(2000):
        polled = await client.get(f"/v1/jobs/{job_id}")
        tags.add((polled.headers["etag"], polled.json()["updated_at"]))
        if polled.json()["status"] in FINISHED:
            break
        await asyncio.sleep(0.001)
    assert polled.json()["status"] in FINISHED
    etags = {t for t, _ in tags}
    assert len(etags) == len({u for _, u in tags})  # one ETag per distinct body


@pytest.mark.parametrize("job_id", ["bad!id", "j" * 65])
async def test_polling_checks_the_credential_before_the_job_id(client: httpx.AsyncClient, job_id: str) -> None:
    anonymous = await client.get(f"/v1/jobs/{job_id}", headers={"X-API-Key": ""})
    assert anonymous.status_code == 401  # as on every other /v1 route: nothing is answered before the credential
    malformed = await client.get(f"/v1/jobs/{job_id}")
    assert malformed.status_code == 422
    assert malformed.json()["error"]["details"][0]["field"] == "job_id"
    assert "x-ratelimit-remaining" in malformed.headers  # counted against the caller's read limit


async def test_the_reader_gate_is_an_ordinary_dependency(make_settings: MakeSettings, fake: FakeGenerator) -> None:
    """A test can stand another principal in for the credential (``app.dependency_overrides``)."""
    app = create_app(make_settings(), generator=fake)
    stranger = Principal(owner="mallory", key_id="m", scopes=frozenset({Scope.JOBS_READ}))

    async def as_stranger(request: Request) -> Caller:
        return Caller(stranger, services_of(request))

    async for client in open_client(app):
        job_id = (await client.post("/v1/jobs", json={"source_text": _TEXT})).json()["id"]
        assert (await client.get(f"/v1/jobs/{job_id}")).status_code == 200
        app.dependency_overrides[READER] = as_stranger
        assert (await client.get(f"/v1/jobs/{job_id}")).status_code == 404  # not mallory's job
        assert (await client.get("/v1/jobs")).json()["items"] == []


_TEXT = (
    "Photosynthesis is the process by which plants make sugar from light. Chlorophyll is the pigment that absorbs "
    "light in the chloroplast. The light reactions split water and release oxygen. The Calvin cycle is the set of "
    "reactions that fix carbon dioxide into sugar. RuBisCO is the enzyme that fixes carbon dioxide in the Calvin "
    "cycle. Stomata are the pores through which leaves take in carbon dioxide. Photorespiration is the wasteful "
    "reaction of RuBisCO with oxygen. C4 plants are plants that concentrate carbon dioxide around RuBisCO. CAM "
    "plants are plants that open their stomata at night. Chlorophyll absorbs red and blue light strongly."
)
