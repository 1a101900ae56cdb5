"""A job's artifacts as files (``app.exports``), each built once per version of what it shows and kept in blob
storage, where it is served from: through a short-lived signed URL where the storage makes them (Cloud Storage),
else streamed by the API.

An export's key is ``exports/{job}/{artifact or "job"}/{format}/{digest}.{extension}``, the digest over
everything its bytes depend on (the format, the job's title, the stored artifact's content and time, and
``REVISION``): a new version of any of them is a new file, which replaces the older ones in its folder, and the
same request again is a read. The whole job is exported once it has finished. Deleting a job deletes its exports
first (``JobsService.delete``); a job that expires leaves them to the bucket's lifecycle rule on ``exports/``.
An artifact stored by a release whose model this one no longer accepts answers 409 ``export_unavailable``, and
the job's zip leaves it out and says so in its manifest.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from pydantic import ValidationError

from app.audio import Speech
from app.audio import render as render_audio
from app.content.catalogue import ArtifactType, artifact_types
from app.content.models import PodcastScript
from app.errors import Conflict, Unprocessable
from app.exports import Made, filename, formats_of, render, render_job
from app.exports.registry import format_of
from app.jobs.models import FINISHED_JOBS, Job, StepStatus, StoredArtifact
from app.sources.storage import BlobNotFound, BlobStorage

if TYPE_CHECKING:  # the service deletes a job's exports with it, so it imports this module
    from app.jobs.service import JobsService, Requester

log = logging.getLogger(__name__)
REVISION = 1  # raise when the exporters' output changes, so that no kept file of the old output is served
PREFIX = "exports"
JOB_FORMATS = ("zip",)
AUDIO, AUDIO_MEDIA_TYPE = "mp3", "audio/mpeg"  # the podcast script read aloud
ZIP = "application/zip"


def exports_prefix(job_id: str) -> str:
    return f"{PREFIX}/{job_id}/"


class PodcastAudio:
    """The podcast read aloud, one voice a speaker (``app.audio``), kept at the key of its ``mp3`` export: made by
    the job's audio step (``options.podcast_script.audio``), or on the first request of a job that did not ask."""

    def __init__(self, storage: BlobStorage, speech: Speech) -> None:
        self.storage = storage
        self.speech = speech

    @staticmethod
    def place(job: Job, stored: StoredArtifact) -> tuple[str, str]:
        """The folder of the job's audio, and the key of this version of it."""
        folder = f"{exports_prefix(job.id)}{stored.type.value}/{AUDIO}/"
        return folder, f"{folder}{_digest(AUDIO, job.request.language, [stored])}.mp3"

    async def make(self, job: Job, stored: StoredArtifact) -> bytes | None:
        """Render and keep the audio unless this version is kept already; the bytes when it was made here.
        Raises ``AudioError``, and ``ValidationError`` for a script this release no longer reads."""
        folder, key = self.place(job, stored)
        if await self.storage.exists(key):
            return None
        script = PodcastScript.model_validate(stored.content)
        data = (await render_audio(script, self.speech, language=job.request.language)).data
        await self.storage.delete_prefix(folder)  # the versions this one replaces
        await self.storage.put(key, data, content_type=AUDIO_MEDIA_TYPE)
        return data


@dataclass(frozen=True, slots=True)
class Download:
    """An export to send: its bytes, or a URL that serves them."""

    filename: str
    media_type: str
    data: bytes | None = None
    url: str | None = None


class JobExports:
    def __init__(
        self, jobs: JobsService, storage: BlobStorage, *, url_seconds: int, speech: Speech | None = None
    ) -> None:
        self.jobs = jobs
        self.storage = storage
        self.url_seconds = url_seconds
        self.speech = speech  # reads the podcast script aloud (``mp3``); None where no engine is configured
        self.audio = None if speech is None else PodcastAudio(storage, speech)

    def formats(self, artifact: ArtifactType) -> tuple[str, ...]:
        """The formats the artifact type is offered in here: the renderers', and the podcast as audio."""
        spoken = (AUDIO,) if artifact is ArtifactType.PODCAST_SCRIPT and self.speech is not None else ()
        return (*formats_of(artifact), *spoken)

    async def artifact(self, owner: Requester, job_id: str, artifact: ArtifactType, name: str) -> Download:
        """The artifact in format ``name``: 404 and 409 as for the artifact itself, 422 naming the formats it has."""
        job, stored = await self.jobs.artifact_of(owner, job_id, artifact)
        if name not in self.formats(artifact):
            raise _unknown(name, self.formats(artifact), f"The {artifact.value} artifact")
        if name == AUDIO:
            return await self._audio(job, stored)
        chosen = format_of(artifact, name)

        def build() -> bytes:
            made = render(artifact, name, stored.content, job_id=job.id, title=job.title, modified=stored.created_at)
            return made.data

        folder = f"{exports_prefix(job.id)}{artifact.value}/{name}/"
        key = f"{folder}{_digest(name, job.title, [stored])}.{chosen.extension}"
        return await self._kept(folder, key, filename(job.title, artifact, chosen.extension), chosen.media_type, build)

    async def _audio(self, job: Job, stored: StoredArtifact) -> Download:
        """The podcast read aloud: made by the job's audio step where it asked for one (409 until that step has
        succeeded), else rendered on the first request, then kept."""
        assert self.audio is not None  # ``formats`` offers it only then
        step = job.audio
        if step is not None and step.status is not StepStatus.SUCCEEDED:
            raise Conflict(
                f"The podcast audio is {step.status.value}, not ready.",
                code="audio_not_ready",
                details={"status": step.status.value, "error": step.error.model_dump() if step.error else None},
            )
        _, key = self.audio.place(job, stored)
        data = await self.audio.make(job, stored)
        name = filename(job.title, stored.type, AUDIO)
        url = await self.storage.download_url(key, seconds=self.url_seconds, filename=name, media_type=AUDIO_MEDIA_TYPE)
        if url is not None:
            return Download(name, AUDIO_MEDIA_TYPE, url=url)
        return Download(name, AUDIO_MEDIA_TYPE, data=data if data is not None else await self.storage.get(key))

    async def job(self, owner: Requester, job_id: str, name: str) -> Download:
        """The whole job as one file (a zip of every artifact it has, in every format), once it has finished."""
        job = await self.jobs.get(owner, job_id)
        if name not in JOB_FORMATS:
            raise _unknown(name, JOB_FORMATS, "A job")
        if job.status not in FINISHED_JOBS:
            raise Conflict(
                f"Job {job.id!r} is {job.status.value}: its export is made once it has finished.",
                code="job_not_finished",
                details={"status": job.status.value},
            )
        succeeded = [a for a in artifact_types() if a in job.steps and job.steps[a].status is StepStatus.SUCCEEDED]
        stored = [s for s in [await self.jobs.store.get_artifact(job.id, a) for a in succeeded] if s is not None]
        if not stored:
            raise Conflict(f"Job {job.id!r} has no artifact to export.", code="nothing_to_export")
        contents: dict[ArtifactType, Mapping[str, Any]] = {s.type: s.content for s in stored}
        modified = max(s.created_at for s in stored)
        made = await self._made(job, stored)

        def build() -> bytes:
            return render_job(job.id, job.title, contents, modified=modified, made=made).data

        folder = f"{exports_prefix(job.id)}job/{name}/"
        key = f"{folder}{_digest(name + ''.join(f'+{m.extension}' for m in made), job.title, stored)}.zip"
        return await self._kept(folder, key, filename(job.title, None, "zip"), ZIP, build)

    async def _made(self, job: Job, stored: list[StoredArtifact]) -> list[Made]:
        """The files the job's steps made, for its zip: the podcast read aloud, once its step has succeeded."""
        script = next((s for s in stored if s.type is ArtifactType.PODCAST_SCRIPT), None)
        if self.audio is None or script is None or job.audio is None or job.audio.status is not StepStatus.SUCCEEDED:
            return []
        try:
            data = await self.storage.get(self.audio.place(job, script)[1])
        except BlobNotFound:  # kept no longer (a new version of the script is being read): the zip goes without
            return []
        return [Made(ArtifactType.PODCAST_SCRIPT, AUDIO, AUDIO_MEDIA_TYPE, data)]

    async def _kept(self, folder: str, key: str, name: str, media_type: str, build: Callable[[], bytes]) -> Download:
        """The export kept under ``key`` (built first if there is none yet, replacing the older versions in its
        ``folder``), as a URL or as bytes."""
        data: bytes | None = None
        if not await self.storage.exists(key):
            data = await _built(build)
            await self.storage.delete_prefix(folder)  # the versions this one replaces
            await self.storage.put(key, data, content_type=media_type)
        url = await self.storage.download_url(key, seconds=self.url_seconds, filename=name, media_type=media_type)
        if url is not None:
            return Download(name, media_type, url=url)
        if data is None:
            try:
                data = await self.storage.get(key)
            except BlobNotFound:  # replaced or deleted since: build it for this one answer
                data = await _built(build)
        return Download(name, media_type, data=data)


async def _built(build: Callable[[], bytes]) -> bytes:
    try:
        return await anyio.to_thread.run_sync(build)  # CPU work: zips, SQLite, XML
    except ValidationError as invalid:  # stored by an older release whose model this one no longer accepts
        log.warning("an artifact no longer validates, so it cannot be exported: %s", invalid.errors()[:3])
        raise Conflict(
            "This artifact was stored in a form this version can no longer export; retry the job to make it again.",
            code="export_unavailable",
        ) from None


def _digest(name: str, title: str, stored: list[StoredArtifact]) -> str:
    parts = [str(REVISION), name, title]
    parts += [f"{s.type.value}\n{s.created_at.isoformat()}\n{json.dumps(s.content, sort_keys=True)}" for s in stored]
    return hashlib.sha256("\n\n".join(parts).encode()).hexdigest()[:20]


def _unknown(name: str, known: tuple[str, ...], what: str) -> Unprocessable:
    message = f"{what} is not offered as {name!r}; ask for one of: {', '.join(known)}."
    return Unprocessable(
        message,
        code="unknown_format",
        details=[{"field": "format", "message": message, "type": "unknown_format", "known": list(known)}],
    )
