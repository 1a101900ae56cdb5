"""Key administration routes (scope ``admin``): parse, call the key admin service, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response, status

from app.api.deps import Admin
from app.auth.schemas import (
    KEY_ID_PATTERN,
    KeyCreate,
    KeyCreated,
    KeyDetail,
    KeyPage,
    KeyPublic,
    KeyRotate,
    key_created,
    key_detail,
)

router = APIRouter(prefix="/v1/admin/keys", tags=["admin"])

KeyId = Annotated[str, Path(pattern=KEY_ID_PATTERN, description="The key's id (never the key itself).")]
_ERRORS: dict[int | str, dict[str, object]] = {404: {"description": "No such key"}}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=KeyCreated)
async def create_key(body: KeyCreate, caller: Admin, request: Request, response: Response) -> KeyCreated:
    """Create a key. The key itself is in this response only; the server keeps just a keyed hash of it."""
    admin = caller.services.key_admin
    key, secret = await admin.create(body)
    response.headers["Location"] = str(request.url_for("get_key", key_id=key.id).path)
    return key_created(key, admin.now(), secret)


@router.get("", response_model=KeyPage)
async def list_keys(
    caller: Admin,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(pattern=KEY_ID_PATTERN)] = None,
) -> KeyPage:
    admin = caller.services.key_admin
    found, next_cursor = await admin.page(limit=limit, cursor=cursor)
    now = admin.now()
    return KeyPage(items=[KeyPublic.of(k, now) for k in found], next_cursor=next_cursor)


@router.get("/{key_id}", response_model=KeyDetail, responses=_ERRORS)
async def get_key(key_id: KeyId, caller: Admin) -> KeyDetail:
    admin = caller.services.key_admin
    key = await admin.get(key_id)
    return key_detail(key, admin.now(), await admin.usage_today(key_id))


@router.post("/{key_id}/revoke", response_model=KeyPublic, responses=_ERRORS)
async def revoke_key(key_id: KeyId, caller: Admin) -> KeyPublic:
    """Revoke a key: refused here at once, on every other instance within ``CF_KEY_CACHE_SECONDS``."""
    admin = caller.services.key_admin
    return KeyPublic.of(await admin.revoke(key_id), admin.now())


@router.post(
    "/{key_id}/rotate",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyCreated,
    responses={**_ERRORS, 409: {"description": "The key is revoked or was already rotated"}},
)
async def rotate_key(
    key_id: KeyId, caller: Admin, request: Request, response: Response, body: Annotated[KeyRotate | None, Body()] = None
) -> KeyCreated:
    """Replace a key with a new one (same owner, scopes and limits); the old one stops after ``grace_seconds``."""
    admin = caller.services.key_admin
    key, secret = await admin.rotate(key_id, body.grace_seconds if body else 0)
    response.headers["Location"] = str(request.url_for("get_key", key_id=key.id).path)
    return key_created(key, admin.now(), secret)
