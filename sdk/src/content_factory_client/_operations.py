"""Every API call described once — method, path, query, body, headers, whether the server may receive it twice,
and how to read the answer — for the sync and the async client alike, which only send them."""

from __future__ import annotations

import dataclasses
import email.message
import posixpath
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, NamedTuple, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from content_factory_client._errors import APIError, error_from_response
from content_factory_client._results import Download
from content_factory_client.models import (
    Artifact,
    ContentTypeList,
    Job,
    JobPage,
    Source,
    SourcePage,
    SourceSpan,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

UploadPart = tuple[str, bytes, str | None]  # file name, bytes, media type (None: guessed from the name)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation(Generic[T]):
    method: str
    path: str
    parse: Callable[[httpx.Response], T]  # given a 2xx or 304 answer, its body read
    replayable: bool  # the server may receive it twice: retried after failures that may have reached it
    params: Mapping[str, str | int] = field(default_factory=dict)
    json: Any = None
    files: Mapping[str, UploadPart] | None = None
    data: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    gone_is_done: bool = False  # a DELETE: a 404 after an attempt whose answer was lost means it was done
    follows_redirects: bool = False  # a download: the file may be at a short-lived signed URL of the storage
    anonymous: bool = False  # sent without the client's headers (its key): a URL of another origin

    def result(self, response: httpx.Response, *, unanswered: bool) -> T:
        """The call's answer, or its error. ``unanswered``: an earlier attempt may have reached the server."""
        status = response.status_code
        if status == 404 and self.gone_is_done and unanswered:
            return self.parse(response)
        if not (200 <= status < 300 or status == 304):
            raise error_from_response(response)
        try:
            return self.parse(response)
        except ValueError as exc:  # pydantic's ValidationError, or a body that is not JSON
            raise APIError(
                status,
                "unexpected_body",
                f"The answer to {self.method} {self.path} could not be read: {str(exc).splitlines()[0]}",
                None,
                response.headers.get("X-Request-ID"),
                response.headers,
            ) from exc

    def redirected(self, response: httpx.Response) -> Operation[T] | None:
        """The GET of the redirect's target, when this operation follows redirects and the answer is one. The
        client's headers, its key among them, go only to the API's own origin: a signed URL needs none."""
        location = response.headers.get("Location")
        if not self.follows_redirects or response.status_code not in _REDIRECTS or not location:
            return None
        source = response.request.url
        target = source.join(location)  # httpx has checked it: a Location that is not a URL is a protocol error
        foreign = (target.scheme, target.host, target.port) != (source.scheme, source.host, source.port)
        return dataclasses.replace(
            self,
            method="GET",
            path=str(target),
            params={},
            json=None,
            files=None,
            data=None,
            headers={},
            replayable=True,
            anonymous=self.anonymous or foreign,
        )

    def build(self, http: httpx.Client | httpx.AsyncClient, *, within: float | None = None) -> httpx.Request:
        """The request, with the client's timeouts, or with none longer than ``within`` seconds when given."""
        timeout = _capped(http.timeout, within)
        if self.anonymous:
            agent = {"User-Agent": http.headers["User-Agent"]} if "User-Agent" in http.headers else {}
            return httpx.Request(
                self.method,
                self.path,
                params=dict(self.params) or None,
                headers=agent,
                extensions={"timeout": timeout.as_dict()},  # as build_request would: without it, none at all
            )
        return http.build_request(
            self.method,
            self.path,
            params=dict(self.params) or None,
            json=self.json,
            files=self.files,
            data=self.data,
            headers=dict(self.headers),
            timeout=timeout,
        )


def _capped(timeout: httpx.Timeout, within: float | None) -> httpx.Timeout:
    if within is None:
        return timeout

    def cap(seconds: float | None) -> float:
        return within if seconds is None else min(seconds, within)

    return httpx.Timeout(
        connect=cap(timeout.connect), read=cap(timeout.read), write=cap(timeout.write), pool=cap(timeout.pool)
    )


class JobPoll(NamedTuple):
    job: Job | None  # None: unchanged since the ETag sent (304)
    etag: str | None


def _segment(value: str) -> str:
    return quote(value, safe="")


def _model(cls: type[M]) -> Callable[[httpx.Response], M]:
    def parse(response: httpx.Response) -> M:
        return cls.model_validate_json(response.content)

    return parse


def _nothing(response: httpx.Response) -> None:
    return None


def _get(
    path: str, parse: Callable[[httpx.Response], T], *, follows_redirects: bool = False, **params: str | int | None
) -> Operation[T]:
    query = {name: value for name, value in params.items() if value is not None}
    return Operation(
        method="GET", path=path, params=query, parse=parse, replayable=True, follows_redirects=follows_redirects
    )


# --- jobs ------------------------------------------------------------------------------------------------------


def check_generation(text: str | None, file: object, source_ids: object) -> None:
    """``generate`` takes a text, or a file and sources: refused before anything is uploaded."""
    if text is not None and (file is not None or source_ids):
        raise ValueError("pass a text, or a file and source_ids, not both")


def create_job(
    *,
    topic: str | None,
    source_text: str | None,
    source_ids: Sequence[str] | None,
    artifacts: Sequence[str] | None,
    language: str | None,
    audience: str | None,
    difficulty: str | None,
    focus: str | None,
    options: Mapping[str, Mapping[str, Any]] | None,
    idempotency_key: str | None,
) -> Operation[Job]:
    """Carries an Idempotency-Key, made here once per call unless given: every retry of the call sends the same
    one, so a retry after a lost answer gets the job the first attempt made."""
    fields = {
        "topic": topic,
        "source_text": source_text,
        "source_ids": [*source_ids] if source_ids is not None else None,
        "artifacts": [*artifacts] if artifacts is not None else None,
        "language": language,
        "audience": audience,
        "difficulty": difficulty,
        "focus": focus,
        "options": {name: dict(controls) for name, controls in options.items()} if options is not None else None,
    }
    return Operation(
        method="POST",
        path="/v1/jobs",
        json={name: value for name, value in fields.items() if value is not None},
        headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        replayable=True,
        parse=_model(Job),
    )


def get_job(job_id: str) -> Operation[Job]:
    return _get(f"/v1/jobs/{_segment(job_id)}", _model(Job))


def poll_job(job_id: str, etag: str | None) -> Operation[JobPoll]:
    def parse(response: httpx.Response) -> JobPoll:
        seen = response.headers.get("ETag", etag)
        if response.status_code == 304:
            return JobPoll(None, seen)
        return JobPoll(Job.model_validate_json(response.content), seen)

    headers = {"If-None-Match": etag} if etag else {}
    return Operation(method="GET", path=f"/v1/jobs/{_segment(job_id)}", headers=headers, parse=parse, replayable=True)


def list_jobs(status: str | None, limit: int, cursor: str | None) -> Operation[JobPage]:
    return _get("/v1/jobs", _model(JobPage), limit=limit, cursor=cursor, status=status, view="full")


def cancel_job(job_id: str) -> Operation[Job]:
    # Cancelling twice is harmless, but the second answer is a 409 (finished): not replayed, to keep it clear.
    return Operation(method="POST", path=f"/v1/jobs/{_segment(job_id)}/cancel", parse=_model(Job), replayable=False)


def retry_job(job_id: str) -> Operation[Job]:
    return Operation(method="POST", path=f"/v1/jobs/{_segment(job_id)}/retry", parse=_model(Job), replayable=False)


def delete_job(job_id: str) -> Operation[None]:
    return Operation(
        method="DELETE", path=f"/v1/jobs/{_segment(job_id)}", parse=_nothing, replayable=True, gone_is_done=True
    )


@cache
def _artifact_adapter() -> TypeAdapter[Artifact]:
    return TypeAdapter(Artifact)


def get_artifact(job_id: str, artifact_type: str) -> Operation[Artifact]:
    def parse(response: httpx.Response) -> Artifact:
        return _artifact_adapter().validate_json(response.content)

    return _get(f"/v1/jobs/{_segment(job_id)}/artifacts/{_segment(artifact_type)}", parse)


def download_artifact(job_id: str, artifact_type: str, format: str) -> Operation[Download]:
    """``exportArtifact``: the file, or a 307 to a signed URL of the storage. (The artifact's own route answers a
    ``format`` with a 307 to this one: asking here saves that hop.)"""
    path = f"/v1/jobs/{_segment(job_id)}/artifacts/{_segment(artifact_type)}/export"
    return _get(path, _download(f"{artifact_type}.{format}"), follows_redirects=True, format=format)


def export_job(job_id: str, format: str) -> Operation[Download]:
    """A 409 (``job_not_finished``) while the job is unfinished."""
    path = f"/v1/jobs/{_segment(job_id)}/export"
    return _get(path, _download(f"{job_id}.{format}"), follows_redirects=True, format=format)


def job_events(job_id: str, last_event_id: str | None) -> Operation[httpx.Response]:
    """The event stream, opened once: when it is not offered, waiting falls back to polling at once rather than
    after a round of retries (so only a 429 and a connection that never opened are retried)."""
    headers = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    return Operation(
        method="GET",
        path=f"/v1/jobs/{_segment(job_id)}/events",
        headers=headers,
        parse=lambda response: response,
        replayable=False,
    )


def _download(fallback: str) -> Callable[[httpx.Response], Download]:
    def parse(response: httpx.Response) -> Download:
        media_type = response.headers.get("Content-Type", "application/octet-stream").split(";", 1)[0].strip()
        name = _disposition_filename(response.headers.get("Content-Disposition"))
        return Download(content=response.content, media_type=media_type, filename=name or _bare(fallback))

    return parse


def _disposition_filename(value: str | None) -> str | None:
    """The file name of a Content-Disposition (``filename*`` of RFC 6266 first), reduced to a bare name: a
    server's answer never picks a directory to write to."""
    if not value:
        return None
    message = email.message.Message()
    message["Content-Disposition"] = value
    name = message.get_filename()
    return _bare(name) if name else None


def _bare(name: str) -> str:
    bare = posixpath.basename(name.replace("\\", "/")).strip()
    return "download" if bare in ("", ".", "..") else bare


# --- sources ---------------------------------------------------------------------------------------------------


def upload_source(data: bytes, *, filename: str, title: str | None, media_type: str | None) -> Operation[Source]:
    # The same bytes again answer 200 with the same source (the server keeps one source per owner and hash), so
    # an upload may be sent twice.
    return Operation(
        method="POST",
        path="/v1/sources",
        files={"file": (filename, data, media_type)},
        data={"title": title} if title is not None else None,
        replayable=True,
        parse=_model(Source),
    )


def source_from_url(url: str) -> Operation[Source]:
    # The page is fetched again on a second request and may have changed: not sent twice.
    return Operation(method="POST", path="/v1/sources", json={"url": url}, replayable=False, parse=_model(Source))


def source_from_text(text: str, title: str | None) -> Operation[Source]:
    # As an upload: the same text is the same bytes, so the same source.
    body = {"text": text, **({"title": title} if title is not None else {})}
    return Operation(method="POST", path="/v1/sources", json=body, replayable=True, parse=_model(Source))


def get_source(source_id: str) -> Operation[Source]:
    return _get(f"/v1/sources/{_segment(source_id)}", _model(Source))


def list_sources(limit: int, cursor: str | None) -> Operation[SourcePage]:
    return _get("/v1/sources", _model(SourcePage), limit=limit, cursor=cursor)


def source_text(source_id: str) -> Operation[str]:
    return _get(f"/v1/sources/{_segment(source_id)}/text", lambda response: response.text)


def source_span(source_id: str, start: int, end: int) -> Operation[SourceSpan]:
    return _get(f"/v1/sources/{_segment(source_id)}/text", _model(SourceSpan), start=start, end=end)


def delete_source(source_id: str) -> Operation[None]:
    return Operation(
        method="DELETE", path=f"/v1/sources/{_segment(source_id)}", parse=_nothing, replayable=True, gone_is_done=True
    )


# --- the catalogue ---------------------------------------------------------------------------------------------


def content_types() -> Operation[ContentTypeList]:
    return _get("/v1/content-types", _model(ContentTypeList))
