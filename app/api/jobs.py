"""Jobs routes: parse, call the jobs service, return."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from app.api.deps import Generating, Reader, Writer
from app.content.catalogue import ArtifactType
from app.jobs.models import JobStatus
from app.jobs.schemas import (
    ArtifactPublic,
    GeneratedBy,
    JobCreate,
    JobPage,
    JobPublic,
    JobSummary,
    JobSummaryPage,
)

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="The ETag of the job as last seen: 304 with no body while the job has not changed.",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Same key and body return the same job; the same key with another body is a 409.",
    ),
]

ExportFormat = Annotated[
    str | None,
    Query(alias="format", max_length=16, description="Redirect to the artifact as a file in this format"),
]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "Missing or invalid API key"},
    404: {"description": "No such job for this key"},
}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobPublic,
    responses={
        200: {"model": JobPublic, "description": "The job this Idempotency-Key already created"},
        409: {"description": "Idempotency-Key reused with another body"},
        413: {"description": "Body too large"},
        415: {"description": "Body is not JSON"},
        422: {"description": "Invalid request, or one the configured engine cannot serve"},
        **_ERRORS,
    },
)
async def create_job(
    body: JobCreate,
    caller: Generating,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobPublic:
    job, created = await caller.jobs.create(caller.principal, body, idempotency_key)
    response.status_code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
    response.headers["Location"] = str(request.url_for("get_job", job_id=job.id).path)
    return JobPublic.of(job)


@router.get(
    "",
    response_model=JobPage | JobSummaryPage,
    responses={**_ERRORS, 400: {"description": "The cursor is not one this API issued"}},
)
async def list_jobs(
    caller: Reader,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    job_status: Annotated[JobStatus | None, Query(alias="status")] = None,
    view: Annotated[
        Literal["full", "compact"], Query(description="compact: id, title, status and progress of each job")
    ] = "full",
) -> JobPage | JobSummaryPage:
    page, next_cursor = await caller.jobs.page(caller.principal, status=job_status, limit=limit, cursor=cursor)
    if view == "compact":
        return JobSummaryPage(items=[JobSummary.of(j) for j in page], next_cursor=next_cursor)
    return JobPage(items=[JobPublic.of(j) for j in page], next_cursor=next_cursor)


@router.get(
    "/{job_id}",
    response_model=JobPublic,
    responses={
        **_ERRORS,
        200: {"headers": {"ETag": {"description": "The job's version", "schema": {"type": "string"}}}},
        304: {"description": "The job has not changed since the ETag sent in If-None-Match"},
    },
)
async def get_job(job_id: JobId, caller: Reader, if_none_match: IfNoneMatch = None) -> Response:
    """The job. Poll it with ``If-None-Match`` set to the last ``ETag``: a 304 costs no body until it changes."""
    job = await caller.jobs.get(caller.principal, job_id)
    views = caller.services.job_views
    headers = {"ETag": views.etag(job)}
    if views.matches(job, if_none_match):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(views.body(job), media_type="application/json", headers=headers)


@router.get(
    "/{job_id}/artifacts/{artifact_type}",
    response_model=None,
    responses={
        200: {
            "description": "The artifact: its content has the schema of its type (a union on `type`)",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Artifact"},
                }
            },
        },
        307: {
            "description": "With `format`: the file is at `Location`, `GET …/artifacts/{type}/export?format=`",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        **_ERRORS,
        409: {"description": "The artifact is not ready or failed"},
    },
)
async def get_artifact(
    job_id: JobId, artifact_type: ArtifactType, caller: Reader, request: Request, export_format: ExportFormat = None
) -> Response:
    """The artifact; with ``format``, a redirect to the artifact as a file (``exportArtifact``)."""
    if export_format is not None:
        target = request.url_for("export_artifact", job_id=job_id, artifact_type=artifact_type.value)
        location = f"{target.path}?{urlencode({'format': export_format})}"
        return RedirectResponse(location, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
    stored = await caller.jobs.artifact(caller.principal, job_id, artifact_type)
    artifact = ArtifactPublic(
        type=stored.type,
        content=stored.content,
        generated_by=GeneratedBy(provider=stored.provider, model=stored.model, prompt_version=stored.prompt_version),
        cached=stored.cached,
        grounded=stored.grounding is not None,
        grounding=stored.grounding,
    )
    return Response(artifact.model_dump_json(), media_type="application/json")


@router.post(
    "/{job_id}/cancel",
    response_model=JobPublic,
    responses={**_ERRORS, 409: {"description": "The job has already finished"}},
)
async def cancel_job(job_id: JobId, caller: Writer) -> JobPublic:
    return JobPublic.of(await caller.jobs.cancel(caller.principal, job_id))


@router.post(
    "/{job_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobPublic,
    responses={**_ERRORS, 409: {"description": "Only partial, failed or cancelled jobs can be retried"}},
)
async def retry_job(job_id: JobId, caller: Generating) -> JobPublic:
    return JobPublic.of(await caller.jobs.retry(caller.principal, job_id))


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
async def delete_job(job_id: JobId, caller: Writer) -> Response:
    await caller.jobs.delete(caller.principal, job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
