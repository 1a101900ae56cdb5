"""``AsyncClient``: the API over an async httpx client (asyncio). Each method sends one operation of
``_operations``; ``Client`` is the same over a blocking one."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, overload

import httpx

from content_factory_client import _config
from content_factory_client import _operations as ops
from content_factory_client._clock import Clock, SystemClock
from content_factory_client._events import OnProgress, Waiter, await_job, check_poll_interval
from content_factory_client._results import Download, GenerationResult, failed_artifacts, succeeded_artifacts
from content_factory_client._retry import RetryPolicy
from content_factory_client._send import AsyncSender
from content_factory_client.models import (
    Artifact,
    ContentTypeList,
    Job,
    JobPage,
    Source,
    SourcePage,
    SourceSpan,
)

PathOrBytes = str | os.PathLike[str] | bytes


class AsyncClient:
    """The Content Factory API. ``base_url`` and ``api_key`` default to ``CF_API_URL`` and ``CF_API_KEY``."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=_config.base_url(base_url),
            headers=_config.headers(api_key, headers),
            timeout=timeout,
            transport=transport,
        )
        self._sender = AsyncSender(self._http, retry or RetryPolicy(), clock or SystemClock())
        self.jobs = AsyncJobs(self._sender)
        self.sources = AsyncSources(self._sender)

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    async def content_types(self) -> ContentTypeList:
        return await self._sender.send(ops.content_types())

    async def generate(
        self,
        text: str | None = None,
        *,
        topic: str | None = None,
        file: str | os.PathLike[str] | None = None,
        source_ids: Sequence[str] | None = None,
        artifacts: Sequence[str] | None = None,
        language: str | None = None,
        audience: str | None = None,
        difficulty: str | None = None,
        focus: str | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        idempotency_key: str | None = None,
        on_progress: OnProgress | None = None,
        timeout: float = 600.0,  # noqa: ASYNC109 (the wait's deadline: WaitTimeout carries the last job seen)
        poll_interval: float = 1.0,
    ) -> GenerationResult:
        """Make a job (uploading ``file`` as a source first), wait for it, and fetch every artifact that
        succeeded. A job that finishes partial, failed or cancelled is returned too: see ``result.failed``."""
        job = await self._finished_job(
            text,
            topic=topic,
            file=file,
            source_ids=source_ids,
            artifacts=artifacts,
            language=language,
            audience=audience,
            difficulty=difficulty,
            focus=focus,
            options=options,
            idempotency_key=idempotency_key,
            on_progress=on_progress,
            timeout=timeout,
            poll_interval=poll_interval,
        )
        fetched = {name: await self.jobs.artifact(job.id, name) for name in succeeded_artifacts(job)}
        return GenerationResult(job=job, artifacts=fetched, failed=failed_artifacts(job))

    async def _finished_job(
        self,
        text: str | None = None,
        *,
        topic: str | None = None,
        file: str | os.PathLike[str] | None = None,
        source_ids: Sequence[str] | None = None,
        artifacts: Sequence[str] | None = None,
        language: str | None = None,
        audience: str | None = None,
        difficulty: str | None = None,
        focus: str | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        idempotency_key: str | None = None,
        on_progress: OnProgress | None = None,
        timeout: float = 600.0,  # noqa: ASYNC109 (the wait's deadline: WaitTimeout carries the last job seen)
        poll_interval: float = 1.0,
    ) -> Job:
        """``generate`` up to the fetching (the command line downloads files instead): ``file`` uploaded, the
        job made, and waited for. The arguments are checked before anything is sent."""
        ops.check_generation(text, file, source_ids)
        check_poll_interval(poll_interval)
        ids = [*([(await self.sources.upload(file)).id] if file is not None else []), *(source_ids or [])]
        job = await self.jobs.create(
            topic=topic,
            source_text=text,
            source_ids=ids or None,
            artifacts=artifacts,
            language=language,
            audience=audience,
            difficulty=difficulty,
            focus=focus,
            options=options,
            idempotency_key=idempotency_key,
        )
        return await self.jobs.wait(job.id, timeout=timeout, on_progress=on_progress, poll_interval=poll_interval)

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.close()


class AsyncJobs:
    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def create(
        self,
        topic: str | None = None,
        source_text: str | None = None,
        source_ids: Sequence[str] | None = None,
        artifacts: Sequence[str] | None = None,
        language: str | None = None,
        audience: str | None = None,
        difficulty: str | None = None,
        focus: str | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        idempotency_key: str | None = None,
    ) -> Job:
        return await self._sender.send(
            ops.create_job(
                topic=topic,
                source_text=source_text,
                source_ids=source_ids,
                artifacts=artifacts,
                language=language,
                audience=audience,
                difficulty=difficulty,
                focus=focus,
                options=options,
                idempotency_key=idempotency_key,
            )
        )

    async def get(self, job_id: str) -> Job:
        return await self._sender.send(ops.get_job(job_id))

    async def list(self, status: str | None = None, limit: int = 20, cursor: str | None = None) -> JobPage:
        return await self._sender.send(ops.list_jobs(status, limit, cursor))

    async def iter(self, status: str | None = None, page_size: int = 20) -> AsyncIterator[Job]:
        """Every job, newest first, a page at a time."""
        cursor: str | None = None
        while True:
            page = await self.list(status=status, limit=page_size, cursor=cursor)
            for job in page.items:
                yield job
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def cancel(self, job_id: str) -> Job:
        return await self._sender.send(ops.cancel_job(job_id))

    async def retry(self, job_id: str) -> Job:
        return await self._sender.send(ops.retry_job(job_id))

    async def delete(self, job_id: str) -> None:
        await self._sender.send(ops.delete_job(job_id))

    async def artifact(self, job_id: str, type: str) -> Artifact:
        return await self._sender.send(ops.get_artifact(job_id, type))

    async def download(self, job_id: str, type: str, format: str = "json") -> Download:
        return await self._sender.send(ops.download_artifact(job_id, type, format))

    async def export(self, job_id: str, format: str = "zip") -> Download:
        return await self._sender.send(ops.export_job(job_id, format))

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float = 600.0,  # noqa: ASYNC109 (the wait's deadline: WaitTimeout carries the last job seen)
        on_progress: OnProgress | None = None,
        poll_interval: float = 1.0,
    ) -> Job:
        """The job once finished (succeeded, partial, failed or cancelled); ``WaitTimeout`` after ``timeout``."""
        waiter = Waiter(
            job_id, timeout=timeout, poll_interval=poll_interval, on_progress=on_progress, clock=self._sender.clock
        )
        return await await_job(self._sender, waiter)


class AsyncSources:
    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def upload(
        self,
        path_or_bytes: PathOrBytes,
        *,
        filename: str | None = None,
        title: str | None = None,
        media_type: str | None = None,
    ) -> Source:
        if isinstance(path_or_bytes, bytes):
            data = path_or_bytes
        else:
            data = await asyncio.to_thread(Path(path_or_bytes).read_bytes)
        name = _config.upload_name(path_or_bytes, filename)
        return await self._sender.send(ops.upload_source(data, filename=name, title=title, media_type=media_type))

    async def from_url(self, url: str) -> Source:
        return await self._sender.send(ops.source_from_url(url))

    async def from_text(self, text: str, title: str | None = None) -> Source:
        return await self._sender.send(ops.source_from_text(text, title))

    async def get(self, source_id: str) -> Source:
        return await self._sender.send(ops.get_source(source_id))

    async def list(self, limit: int = 20, cursor: str | None = None) -> SourcePage:
        return await self._sender.send(ops.list_sources(limit, cursor))

    async def iter(self, page_size: int = 20) -> AsyncIterator[Source]:
        cursor: str | None = None
        while True:
            page = await self.list(limit=page_size, cursor=cursor)
            for source in page.items:
                yield source
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    @overload
    async def text(self, source_id: str) -> str: ...
    @overload
    async def text(self, source_id: str, start: int, end: int) -> SourceSpan: ...
    async def text(self, source_id: str, start: int | None = None, end: int | None = None) -> str | SourceSpan:
        """The extracted text; with ``start`` and ``end``, that span with its context and page."""
        if start is None and end is None:
            return await self._sender.send(ops.source_text(source_id))
        if start is None or end is None:
            raise ValueError("pass both start and end, or neither")
        return await self._sender.send(ops.source_span(source_id, start, end))

    async def delete(self, source_id: str) -> None:
        await self._sender.send(ops.delete_source(source_id))
