"""The job store contract. Every adapter of ``JobStore`` must pass it; parametrised over the adapters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.adapters.sqlite_store import SqliteStore
from app.auth.models import Scope
from app.auth.service import stored_key
from app.auth.store import KeyStore
from app.content.catalogue import ArtifactType
from app.content.generator import Usage
from app.jobs import lifecycle
from app.jobs.models import Job, JobStatus, StoredArtifact
from app.jobs.queue import Step
from app.jobs.store import JobStore, PageCursor
from tests.fixtures.jobs import T0, make_job
from tests.fixtures.stores import ADAPTERS, open_store


@pytest.fixture(params=ADAPTERS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[JobStore | KeyStore]:
    async with open_store(request, tmp_path) as opened:
        yield opened


async def test_create_and_get_round_trip(store: JobStore) -> None:
    job = make_job("j1")
    assert await store.create_job(job) == job
    assert await store.get_job("j1") == job
    assert await store.get_job("missing") is None


async def test_idempotency_key_returns_the_first_job(store: JobStore) -> None:
    first = await store.create_job(make_job("j1", key="k"))
    second = await store.create_job(make_job("j2", key="k"))
    assert second.id == first.id == "j1"
    assert await store.get_job("j2") is None
    assert (await store.find_by_idempotency_key("alice", "k")) == first
    assert await store.find_by_idempotency_key("bob", "k") is None
    other_owner = await store.create_job(make_job("j3", owner="bob", key="k"))
    assert other_owner.id == "j3"


async def test_list_is_owner_scoped_newest_first_and_paged(store: JobStore) -> None:
    for i in range(7):
        await store.create_job(make_job(f"a{i}", minutes=i))
    await store.create_job(make_job("b0", owner="bob"))
    page = await store.list_jobs("alice", status=None, limit=3, after=None)
    assert [j.id for j in page] == ["a6", "a5", "a4"]
    after = PageCursor(page[-1].created_at, page[-1].id)
    page2 = await store.list_jobs("alice", status=None, limit=10, after=after)
    assert [j.id for j in page2] == ["a3", "a2", "a1", "a0"]
    assert [j.id for j in await store.list_jobs("bob", status=None, limit=10, after=None)] == ["b0"]


async def test_ties_in_time_are_broken_by_id(store: JobStore) -> None:
    for job_id in ("x1", "x3", "x2"):
        await store.create_job(make_job(job_id))
    first = await store.list_jobs("alice", status=None, limit=2, after=None)
    assert [j.id for j in first] == ["x3", "x2"]
    rest = await store.list_jobs("alice", status=None, limit=2, after=PageCursor(first[-1].created_at, "x2"))
    assert [j.id for j in rest] == ["x1"]


async def test_status_filter_follows_updates(store: JobStore) -> None:
    await store.create_job(make_job("j1"))
    await store.create_job(make_job("j2", minutes=1))
    await store.update_job("j1", lifecycle.cancel(T0))
    cancelled = await store.list_jobs("alice", status=JobStatus.CANCELLED, limit=10, after=None)
    queued = await store.list_jobs("alice", status=JobStatus.QUEUED, limit=10, after=None)
    assert [j.id for j in cancelled] == ["j1"]
    assert [j.id for j in queued] == ["j2"]


async def test_update_is_atomic_under_concurrency(store: JobStore) -> None:
    await store.create_job(make_job("j1"))

    def bump(job: Job) -> int:
        job.steps[ArtifactType.FAQ].attempts += 1
        return job.steps[ArtifactType.FAQ].attempts

    results = await asyncio.gather(*(store.update_job("j1", bump) for _ in range(25)))
    assert sorted(r[1] for r in results if r) == list(range(1, 26))
    job = await store.get_job("j1")
    assert job is not None and job.steps[ArtifactType.FAQ].attempts == 25


async def test_a_step_is_claimed_once(store: JobStore) -> None:
    await store.create_job(make_job("j1"))
    step = Step("j1", ArtifactType.OUTLINE, 0)
    claims = await asyncio.gather(*(store.update_job("j1", lifecycle.claim_step(step, T0, 60)) for _ in range(5)))
    outcomes = [c[1] for c in claims if c]
    assert sum(isinstance(o, lifecycle.Claim) for o in outcomes) == 1
    assert sum(isinstance(o, lifecycle.Busy) for o in outcomes) == 4


async def test_update_of_missing_job_is_none(store: JobStore) -> None:
    assert await store.update_job("missing", lifecycle.cancel(T0)) is None


async def test_artifacts_overwrite_and_delete_with_the_job(store: JobStore) -> None:
    await store.create_job(make_job("j1"))
    art = StoredArtifact(
        job_id="j1",
        type=ArtifactType.FAQ,
        content={"v": 1},
        provider="p",
        model="m",
        prompt_version="1",
        cached=False,
        created_at=T0,
    )
    await store.put_artifact(art)
    await store.put_artifact(art.model_copy(update={"content": {"v": 2}}))
    got = await store.get_artifact("j1", ArtifactType.FAQ)
    assert got is not None and got.content == {"v": 2}
    assert await store.get_artifact("j1", ArtifactType.OUTLINE) is None
    assert await store.delete_job("j1") is True
    assert await store.get_artifact("j1", ArtifactType.FAQ) is None
    assert await store.delete_job("j1") is False


async def test_an_artifact_is_committed_only_with_the_change_that_records_it(store: JobStore) -> None:
    await store.create_job(make_job("j2"))
    outline = Step("j2", ArtifactType.OUTLINE, 0)
    await store.update_job("j2", lifecycle.claim_step(outline, T0, 30))
    art = StoredArtifact(
        job_id="j2",
        type=ArtifactType.OUTLINE,
        content={"v": "stale"},
        provider="p",
        model="m",
        prompt_version="1",
        cached=False,
        created_at=T0,
    )
    # A claim this worker no longer holds (attempt 2 holds it now): nothing is recorded, nothing written.
    stale = await store.commit_artifact(
        art, lifecycle.record_success(outline, T0, cached=False, usage=Usage(), attempt=2)
    )
    assert stale is not None and stale[1].applied is False
    assert await store.get_artifact("j2", ArtifactType.OUTLINE) is None

    fresh = art.model_copy(update={"content": {"v": "current"}})
    done = await store.commit_artifact(
        fresh, lifecycle.record_success(outline, T0, cached=False, usage=Usage(), attempt=1)
    )
    assert done is not None and done[1].applied and done[0].steps[ArtifactType.OUTLINE].status.value == "succeeded"
    got = await store.get_artifact("j2", ArtifactType.OUTLINE)
    assert got is not None and got.content == {"v": "current"}

    assert await store.delete_job("j2")
    gone = fresh.model_copy(update={"type": ArtifactType.FAQ})
    assert await store.commit_artifact(gone, lifecycle.record_success(outline, T0, cached=False, usage=Usage())) is None
    assert await store.get_artifact("j2", ArtifactType.FAQ) is None


async def test_unfinished_jobs_lists_queued_and_running_oldest_first(store: JobStore) -> None:
    await store.create_job(make_job("j2", minutes=2))
    await store.create_job(make_job("j1", minutes=1))
    await store.create_job(make_job("j3", minutes=3))
    await store.update_job("j3", lifecycle.cancel(T0))
    step = Step("j2", ArtifactType.OUTLINE, 0)
    await store.update_job("j2", lifecycle.claim_step(step, T0, 60))
    assert [j.id for j in await store.unfinished_jobs(10)] == ["j1", "j2"]


async def test_untold_jobs_are_the_ones_marked_untold(store: JobStore) -> None:
    for job_id in ("u1", "u2", "u3"):
        await store.create_job(make_job(job_id))
    assert await store.untold_jobs(10) == []

    def mark(job: Job) -> None:
        job.untold = True

    def told(job: Job) -> None:
        job.untold, job.told = False, job.version

    await store.update_job("u1", mark)
    await store.update_job("u3", mark)
    assert sorted(j.id for j in await store.untold_jobs(10)) == ["u1", "u3"]
    assert len(await store.untold_jobs(1)) == 1
    await store.update_job("u1", told)
    assert [j.id for j in await store.untold_jobs(10)] == ["u3"]
    assert (await store.untold_jobs(10))[0].untold


async def test_keys_round_trip(store: KeyStore) -> None:
    assert await store.count_keys() == 0
    key = stored_key("cf_secret", b"pepper", owner="alice", name="k", scopes=(Scope.JOBS_READ,))
    await store.put_key(key)
    assert await store.get_key(key.id) == key
    assert await store.count_keys() == 1


async def test_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "persist.db"
    first = await SqliteStore.open(path)
    await first.create_job(make_job("j1"))
    await first.update_job(
        "j1", lifecycle.record_success(Step("j1", ArtifactType.OUTLINE, 0), T0, cached=False, usage=Usage())
    )
    await first.close()
    second = await SqliteStore.open(path)
    job = await second.get_job("j1")
    await second.close()
    assert job is not None and job.id == "j1"


async def test_a_deleted_jobs_idempotency_key_can_be_used_again(store: JobStore) -> None:
    await store.create_job(make_job("j1", key="k"))
    assert await store.delete_job("j1") is True
    again = await store.create_job(make_job("j2", key="k"))
    assert again.id == "j2"
    assert await store.find_by_idempotency_key("alice", "k") == again


async def test_every_change_is_kept_with_a_version_one_higher(store: JobStore) -> None:
    await store.create_job(make_job("j1"))
    before = await store.get_job("j1")
    assert before is not None
    changed = await store.update_job("j1", lifecycle.cancel(T0 + timedelta(seconds=1)))
    assert changed is not None and changed[1].applied
    after = await store.get_job("j1")
    assert after is not None and after.version == before.version + 1 == changed[0].version
