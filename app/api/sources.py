"""Sources routes: add one (a multipart upload, or JSON with a URL or a text), read, page, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from app.api.deps import Generating, Reader, Writer
from app.errors import BadRequest, UnsupportedMediaType
from app.sources.schemas import TITLE_MAX, SourceCreate, SourcePage, SourcePublic, SourceSpan
from app.sources.service import span

router = APIRouter(prefix="/v1/sources", tags=["sources"])

SourceId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "Missing or invalid API key"},
    404: {"description": "No such source for this key"},
}
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "PDF, DOCX, HTML, Markdown, reStructuredText or plain text",
                        },
                        "title": {"type": "string", "maxLength": 300},
                    },
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/SourceCreate"}},
        },
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SourcePublic,
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"model": SourcePublic, "description": "The source these bytes already are"},
        413: {"description": "The file is over CF_SOURCE_MAX_BYTES"},
        415: {"description": "Neither a multipart upload nor JSON"},
        422: {"description": "A file or URL that cannot be used: the code names the problem"},
        **_ERRORS,
    },
)
async def create_source(caller: Generating, request: Request, response: Response) -> SourcePublic:
    """Add a source. Its text is extracted once; jobs then name it in ``source_ids``."""
    sources = caller.services.sources
    owner = caller.principal.owner
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        form = await _form(request)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadRequest(
                    "Send the document in a multipart part named 'file'.",
                    code="validation_error",
                    details={"field": "file"},
                )
            title = _title(form.get("title"))
            data = await upload.read()
            filename, declared = upload.filename, upload.content_type or None
        finally:
            await form.close()  # the spooled upload's file
        source, created = await sources.add_upload(owner, data, filename=filename, declared_type=declared, title=title)
    elif media == "application/json" or media.endswith("+json"):
        try:
            body = SourceCreate.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_input=False)) from exc
        if body.url is not None:
            source, created = await sources.add_url(owner, body.url)
        else:
            assert body.text is not None
            source, created = await sources.add_text(owner, body.text, title=body.title)
    else:
        raise UnsupportedMediaType("Send a multipart/form-data upload, or JSON with a url or a text.")
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = str(request.url_for("get_source", source_id=source.id).path)
    return SourcePublic.of(source)


async def _form(request: Request) -> FormData:
    """The multipart form: one file and a few fields. A malformed or oversized form is a 400 naming the part."""
    try:
        return await request.form(max_files=1, max_fields=4)
    except HTTPException as exc:  # Starlette's answer to a form it cannot parse
        raise BadRequest(
            f"The multipart form cannot be read: {exc.detail} Send one file in a part named 'file' and at most "
            "a 'title' beside it.",
            code="invalid_form",
            details={"field": "file", "limit_files": 1, "limit_fields": 4},
        ) from exc


def _title(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value.strip()) > TITLE_MAX:
        raise BadRequest(
            f"The title must be text of at most {TITLE_MAX} characters.",
            code="validation_error",
            details={"field": "title", "limit_characters": TITLE_MAX},
        )
    return value.strip() or None


@router.get("", response_model=SourcePage, responses={**_ERRORS, 400: {"description": "Not a cursor of this API"}})
async def list_sources(
    caller: Reader,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> SourcePage:
    items, next_cursor = await caller.services.sources.page(caller.principal.owner, limit=limit, cursor=cursor)
    return SourcePage(items=[SourcePublic.of(s) for s in items], next_cursor=next_cursor)


@router.get("/{source_id}", response_model=SourcePublic, responses=_ERRORS)
async def get_source(source_id: SourceId, caller: Reader) -> SourcePublic:
    return SourcePublic.of(await caller.services.sources.get(caller.principal.owner, source_id))


@router.get(
    "/{source_id}/text",
    responses={
        **_ERRORS,
        200: {
            "description": "The whole extracted text (text/plain), or with start and end a span with context (JSON)",
            "content": {"text/plain": {}, "application/json": {"schema": {"$ref": "#/components/schemas/SourceSpan"}}},
        },
        400: {"description": "start and end outside the text"},
    },
)
async def get_source_text(
    source_id: SourceId,
    caller: Reader,
    start: Annotated[int | None, Query(ge=0)] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """The text jobs are made from. With ``start`` and ``end`` (character offsets, as evidence carries them): that
    span, with 200 characters of context either side and its PDF page."""
    source, text = await caller.services.sources.text(caller.principal.owner, source_id)
    if start is None and end is None:
        return Response(text, media_type="text/plain; charset=utf-8")
    if start is None or end is None:
        raise BadRequest("Send both start and end, or neither.", code="validation_error", details={"field": "start"})
    passage = span(text, start, end)
    body = SourceSpan(
        source_id=source.id,
        start=start,
        end=end,
        text=str(passage["text"]),
        before=str(passage["before"]),
        after=str(passage["after"]),
        page=source.page_of(start),
    )
    return Response(body.model_dump_json(), media_type="application/json")


@router.delete("/{source_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
async def delete_source(source_id: SourceId, caller: Writer) -> Response:
    """Delete the source and its stored files. Jobs made from it keep their own copy of the text."""
    await caller.services.sources.delete(caller.principal.owner, source_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
