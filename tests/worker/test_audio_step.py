"""The podcast read aloud as a step of its own (``options.podcast_script.audio``): released by the script's
success, retried on speech failures within the step's attempts, failed with the script, reset by a retry, and
counted in the job's status and progress. Speech here is scripted (tones, no engine) but the MP3 is encoded by
the real ffmpeg and kept in real local storage."""

from __future__ import annotations

import math
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.local_storage import LocalStorage
from app.adapters.memory_cache import MemoryCache
from app.adapters.sqlite_store import SqliteStore
from app.audio import AudioError
from app.audio.speech import Clip, Gender, Voice
from app.content.catalogue import ArtifactType
from app.errors import Unprocessable
from app.jobs import lifecycle
from app.jobs.exports import PodcastAudio
from app.jobs.models import Job, JobStatus, StepStatus
from app.jobs.queue import Outcome, Step
from app.jobs.schemas import JobCreate, JobPublic
from app.jobs.service import JobsService
from app.worker.pipeline import Pipeline, StepPolicy
from tests.fixtures.fake_generator import FakeGenerator
from tests.worker.test_lease import OWNER, Held

OUTLINE, PODCAST = ArtifactType.OUTLINE, ArtifactType.PODCAST_SCRIPT
RATE = 16_000


@dataclass
class Scripted:
    """Two voices that answer each segment with a short tone; the first ``failures`` calls fail."""

    failures: int = 0
    transient: bool = True
    calls: int = 0

    def voices(self) -> list[Voice]:
        return [Voice("low", "en", Gender.MALE), Voice("high", "en", Gender.FEMALE)]

    async def synthesize(self, text: str, voice: Voice, *, language: str) -> Clip:
        self.calls += 1
        if self.calls <= self.failures:
            raise AudioError("the engine is busy", code="speech_failed", transient=self.transient)
        pitch = 220 if voice.name == "low" else 440
        samples = [int(6_000 * math.sin(2 * math.pi * pitch * i / RATE)) for i in range(RATE // 5)]
        return Clip(struct.pack(f"<{len(samples)}h", *samples), RATE)


@dataclass
class World:
    store: SqliteStore
    storage: LocalStorage
    blobs: Path  # the storage's folder
    queue: Held
    fake: FakeGenerator
    speech: Scripted

    def pipeline(self, *, attempts: int = 3, speech: bool = True) -> Pipeline:
        return Pipeline(
            store=self.store,
            queue=self.queue,
            cache=MemoryCache(ttl_seconds=0, max_entries=10),
            generator=self.fake,
            policy=StepPolicy(max_attempts=attempts, lease_seconds=30),
            audio=PodcastAudio(self.storage, self.speech) if speech else None,
        )

    def service(self, *, speaks: bool = True) -> JobsService:
        return JobsService(self.store, self.queue, self.fake, timedelta(days=1), blobs=self.storage, speaks=speaks)

    async def new_job(self, *, audio: bool = True) -> Job:
        body = JobCreate(
            source_text="Plants make sugar from light. Chlorophyll absorbs red and blue light in the leaves.",
            artifacts=["podcast_script"],
            options={"podcast_script": {"minutes": 2, "audio": audio}},
        )
        job, _ = await self.service().create(OWNER, body, None)
        return job

    async def deliver(self, step: Step, *, pipeline: Pipeline | None = None) -> Outcome:
        return (await (pipeline or self.pipeline()).run_step(step)).outcome

    async def job(self, job_id: str) -> Job:
        job = await self.store.get_job(job_id)
        assert job is not None
        return job

    def audio_files(self, job_id: str) -> list[Path]:
        folder = self.blobs / "exports" / job_id / "podcast_script" / "mp3"
        return sorted(folder.glob("*.mp3")) if folder.exists() else []


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = await SqliteStore.open(tmp_path / "audio.db")
    yield World(store, LocalStorage.open(tmp_path / "blobs"), tmp_path / "blobs", Held(), FakeGenerator(), Scripted())
    await store.close()


async def write_script(world: World, job: Job) -> Step:
    """Run the outline and the script; the audio step they release is handed back."""
    assert await world.deliver(Step(job.id, OUTLINE)) is Outcome.DONE
    assert await world.deliver(Step(job.id, PODCAST)) is Outcome.DONE
    audio = world.queue.steps[-1]
    assert audio == Step(job.id, PODCAST, audio=True)
    return audio


async def test_the_audio_step_waits_for_the_script_then_keeps_an_mp3_and_finishes_the_job(world: World) -> None:
    job = await world.new_job()
    assert job.audio is not None and job.audio.status is StepStatus.PENDING
    assert JobPublic.of(job).progress.total == 3  # outline, script, audio
    assert lifecycle.queued_steps(job) == [Step(job.id, OUTLINE)]

    audio = await write_script(world, job)
    waiting = await world.job(job.id)
    assert waiting.status is JobStatus.RUNNING, "the job is not done until its podcast is read aloud"
    assert waiting.audio is not None and waiting.audio.status is StepStatus.QUEUED

    assert await world.deliver(audio) is Outcome.DONE
    done = await world.job(job.id)
    assert done.status is JobStatus.SUCCEEDED
    public = JobPublic.of(done)
    assert public.progress.done == public.progress.total == 3
    spoken = public.artifacts[PODCAST].audio
    assert spoken is not None and spoken.status is StepStatus.SUCCEEDED and spoken.attempts == 1
    [kept] = world.audio_files(job.id)
    assert kept.read_bytes()[:3] in (b"ID3", b"\xff\xfb"), "an MP3 (ID3 tag with chapters, or a bare frame)"

    assert await world.deliver(audio) is Outcome.SKIPPED, "delivered again: nothing left to do"
    assert len(world.audio_files(job.id)) == 1


async def test_speech_failures_are_retried_within_the_steps_attempts(world: World) -> None:
    world.speech.failures = 1
    job = await world.new_job()
    audio = await write_script(world, job)
    assert await world.deliver(audio) is Outcome.RETRY
    retried = await world.job(job.id)
    assert retried.audio is not None and retried.audio.status is StepStatus.QUEUED
    assert retried.audio.error is not None and retried.audio.error.code == "speech_failed"
    assert await world.deliver(audio) is Outcome.DONE
    done = await world.job(job.id)
    assert done.audio is not None and done.audio.attempts == 2 and done.audio.error is None
    assert done.status is JobStatus.SUCCEEDED


async def test_an_audio_step_that_keeps_failing_leaves_the_job_partial_and_a_retry_reads_it_again(
    world: World,
) -> None:
    world.speech.failures = 10
    job = await world.new_job()
    audio = await write_script(world, job)
    pipeline = world.pipeline(attempts=2)
    assert await world.deliver(audio, pipeline=pipeline) is Outcome.RETRY
    assert await world.deliver(audio, pipeline=pipeline) is Outcome.FAILED
    failed = await world.job(job.id)
    assert failed.status is JobStatus.PARTIAL, "the script stands; only its audio failed"
    assert failed.audio is not None and failed.audio.error is not None
    assert failed.audio.error.code == "retries_exhausted"
    assert world.audio_files(job.id) == []

    world.speech.failures = 0
    again = await world.service().retry(OWNER, job.id)
    assert again.audio is not None and again.audio.status is StepStatus.QUEUED and again.audio.generation == 1
    assert world.queue.steps[-1] == Step(job.id, PODCAST, generation=1, audio=True)
    assert again.steps[PODCAST].status is StepStatus.SUCCEEDED, "the script is not written again"
    assert await world.deliver(world.queue.steps[-1]) is Outcome.DONE
    assert (await world.job(job.id)).status is JobStatus.SUCCEEDED


async def test_a_permanent_speech_failure_fails_at_once(world: World) -> None:
    world.speech.failures, world.speech.transient = 1, False
    job = await world.new_job()
    audio = await write_script(world, job)
    assert await world.deliver(audio) is Outcome.FAILED
    failed = await world.job(job.id)
    assert failed.audio is not None and failed.audio.attempts == 1
    assert failed.audio.error is not None and failed.audio.error.code == "speech_failed"


async def test_a_failed_script_fails_its_audio_and_a_retry_waits_for_the_script_again(world: World) -> None:
    world.fake.permanent.add(PODCAST)
    job = await world.new_job()
    assert await world.deliver(Step(job.id, OUTLINE)) is Outcome.DONE
    assert await world.deliver(Step(job.id, PODCAST)) is Outcome.FAILED
    failed = await world.job(job.id)
    assert failed.status is JobStatus.PARTIAL  # the outline stands
    assert failed.audio is not None and failed.audio.error is not None
    assert failed.audio.error.code == "podcast_script_failed"

    world.fake.permanent.clear()
    again = await world.service().retry(OWNER, job.id)
    assert again.audio is not None and again.audio.status is StepStatus.PENDING, "it waits for the new script"
    assert world.queue.steps[-1] == Step(job.id, PODCAST, generation=1)
    assert await world.deliver(world.queue.steps[-1]) is Outcome.DONE
    assert world.queue.steps[-1] == Step(job.id, PODCAST, generation=1, audio=True)


async def test_cancelling_cancels_the_audio_step_and_the_sweeper_recovers_a_lost_one(world: World) -> None:
    job = await world.new_job()
    await write_script(world, job)
    later = datetime.now(UTC) + timedelta(hours=1)
    recovered = await world.store.update_job(job.id, lifecycle.recover(later, stale_seconds=60))
    assert recovered is not None
    [lost] = recovered[1].changed.released
    assert lost == Step(job.id, PODCAST, audio=True, recovery=1)
    assert lost.task_name == f"{job.id}-podcast_script-audio-g0-r1"

    cancelled = await world.service().cancel(OWNER, job.id)
    assert cancelled.status is JobStatus.CANCELLED
    assert cancelled.audio is not None and cancelled.audio.status is StepStatus.CANCELLED
    assert await world.deliver(lost) is Outcome.SKIPPED


async def test_audio_is_refused_where_no_speech_engine_is_configured(world: World) -> None:
    body = JobCreate(
        source_text="Plants make sugar.", artifacts=["podcast_script"], options={"podcast_script": {"audio": True}}
    )
    with pytest.raises(Unprocessable) as refused:
        await world.service(speaks=False).create(OWNER, body, None)
    assert refused.value.code == "audio_unavailable"
    assert refused.value.details == [
        {"field": "options.podcast_script.audio", "message": refused.value.message, "type": "audio_unavailable"}
    ]
    assert await world.store.list_jobs(OWNER.owner, status=None, limit=10, after=None) == []


async def test_without_audio_asked_there_is_no_audio_step_and_the_flag_is_no_part_of_the_script(world: World) -> None:
    job = await world.new_job(audio=False)
    assert job.audio is None and JobPublic.of(job).artifacts[PODCAST].audio is None
    assert job.request.options.for_engine(PODCAST) == {"minutes": 2}
    assert job.steps[PODCAST].unused_controls == (), "the engine is never given the audio flag"
