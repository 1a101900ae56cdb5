"""The study page: ``/`` and its files under ``/web/``, served as they lie in ``app/web`` (no build step).

The page is plain HTML with JavaScript modules and one stylesheet, under its own strict CSP (``WEB_CSP``): nothing
inline, nothing from another origin. It calls the ``/v1`` API with the key the user types, which stays in the
tab's ``sessionStorage``; the page itself needs no credential. Files are re-validated on every load (``no-cache``
with an ETag of their bytes), so a deploy never leaves a browser mixing old and new modules.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, Response

from app.api.security import WEB_CSP
from app.errors import NotFound

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PAGE = "index.html"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_REVALIDATE = "no-cache"
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match")]

router = APIRouter(include_in_schema=False)


@functools.cache
def assets() -> dict[str, Path]:
    """The files ``/web/{name}`` may answer: the folder's own, by a type listed above (read on first use)."""
    return {path.name: path for path in WEB_DIR.iterdir() if path.suffix in MEDIA_TYPES and path.is_file()}


async def _file(path: Path, media_type: str, if_none_match: str | None, headers: dict[str, str]) -> Response:
    data = await anyio.Path(path).read_bytes()
    etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
    headers = {**headers, "ETag": etag, "Cache-Control": _REVALIDATE}
    if if_none_match is not None and etag in (tag.strip().removeprefix("W/") for tag in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


@router.get("/")
async def page(if_none_match: IfNoneMatch = None) -> Response:
    return await _file(WEB_DIR / PAGE, "text/html; charset=utf-8", if_none_match, {"Content-Security-Policy": WEB_CSP})


@router.get("/web/{name}")
async def asset(name: str, if_none_match: IfNoneMatch = None) -> Response:
    path = assets().get(name)  # only files the folder holds: no path is built from the request
    if path is None:
        raise NotFound("The page has no such file.")
    return await _file(path, MEDIA_TYPES[path.suffix], if_none_match, {})
