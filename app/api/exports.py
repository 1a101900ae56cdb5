"""Export routes: an artifact, or a whole job, as a file (``app.jobs.exports``): streamed, or a redirect to a
short-lived signed URL where the storage makes them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import RedirectResponse

from app.api.deps import Reader
from app.content.catalogue import ArtifactType
from app.exports import FORMATS
from app.jobs.exports import JOB_FORMATS, Download

router = APIRouter(prefix="/v1/jobs", tags=["exports"])

JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
_FILE = {"schema": {"type": "string", "format": "binary"}}
_SIGNED = {
    "description": "Where storage signs URLs: the file is at `Location` for CF_EXPORT_URL_SECONDS",
    "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
}
_DISPOSITION = {"Content-Disposition": {"description": "attachment; filename=…", "schema": {"type": "string"}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid API key"},
    404: {"description": "No such job for this key"},
}


@router.get(
    "/{job_id}/artifacts/{artifact_type}/export",
    response_class=Response,
    responses={
        200: {
            "description": "The file (`format=json` is the content alone)",
            "headers": _DISPOSITION,
            "content": {media: _FILE for media in dict.fromkeys(f.media_type for f in FORMATS)},
        },
        307: _SIGNED,
        **_ERRORS,
        409: {"description": "The artifact is not ready, failed, or can no longer be exported"},
        422: {"description": "A format this artifact is not offered in: the details list the ones it is"},
    },
)
async def export_artifact(
    job_id: JobId,
    artifact_type: ArtifactType,
    caller: Reader,
    export_format: Annotated[
        str,
        Query(
            alias="format",
            max_length=16,
            description=f"One of {', '.join(f.name for f in FORMATS)}, as the type offers (GET /v1/content-types)",
        ),
    ] = "json",
) -> Response:
    """The artifact as a file in one of the formats its type is offered in."""
    return _sent(await caller.services.exports.artifact(caller.principal, job_id, artifact_type, export_format))


@router.get(
    "/{job_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "The job's artifacts as one zip",
            "headers": _DISPOSITION,
            "content": {"application/zip": _FILE},
        },
        307: _SIGNED,
        **_ERRORS,
        409: {"description": "The job has not finished, or has no artifact"},
        422: {"description": "A format other than zip"},
    },
)
async def export_job(
    job_id: JobId,
    caller: Reader,
    export_format: Annotated[str, Query(alias="format", max_length=16, description=", ".join(JOB_FORMATS))] = "zip",
) -> Response:
    """Every artifact of a finished job, in every format it is offered in, with ``manifest.json`` listing them."""
    return _sent(await caller.services.exports.job(caller.principal, job_id, export_format))


def _sent(download: Download) -> Response:
    if download.url is not None:
        return RedirectResponse(download.url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
    disposition = f'attachment; filename="{download.filename}"'  # an ASCII slug: nothing to escape
    return Response(download.data, media_type=download.media_type, headers={"Content-Disposition": disposition})
