"""Webhook routes: register, page, read, delete, rotate the secret, and page a webhook's deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from app.api.deps import Reader, Writer
from app.webhooks.schemas import (
    DeliveryPage,
    DeliveryPublic,
    WebhookCreate,
    WebhookPage,
    WebhookPublic,
    WebhookSecret,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

WebhookId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=512)]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "Missing or invalid API key"},
    404: {"description": "No such webhook for this key"},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookSecret,
    responses={
        401: _ERRORS[401],
        409: {"description": "The owner has the most webhooks allowed (webhook_limit)"},
        422: {"description": "A URL that may not be called (the code names the rule), or unknown event types"},
    },
)
async def create_webhook(body: WebhookCreate, caller: Writer, request: Request, response: Response) -> WebhookSecret:
    """Register an endpoint for the events of this owner's jobs. The secret that signs them is shown only here."""
    webhook = await caller.services.webhooks.register(caller.principal.owner, body.url, body.events)
    response.headers["Location"] = str(request.url_for("get_webhook", webhook_id=webhook.id).path)
    return WebhookSecret.of(webhook)


@router.get("", response_model=WebhookPage, responses={**_ERRORS, 400: {"description": "Not a cursor of this API"}})
async def list_webhooks(caller: Reader, limit: Limit = 20, cursor: Cursor = None) -> WebhookPage:
    items, next_cursor = await caller.services.webhooks.page(caller.principal.owner, limit=limit, cursor=cursor)
    return WebhookPage(items=[WebhookPublic.of(w) for w in items], next_cursor=next_cursor)


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=_ERRORS)
async def get_webhook(webhook_id: WebhookId, caller: Reader) -> WebhookPublic:
    return WebhookPublic.of(await caller.services.webhooks.get(caller.principal.owner, webhook_id))


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
async def delete_webhook(webhook_id: WebhookId, caller: Writer) -> Response:
    """Delete the webhook and its deliveries; nothing more is sent to it."""
    await caller.services.webhooks.delete(caller.principal.owner, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{webhook_id}/rotate", response_model=WebhookSecret, responses=_ERRORS)
async def rotate_webhook_secret(webhook_id: WebhookId, caller: Writer) -> WebhookSecret:
    """A new secret for the webhook, shown only here; the old one signs nothing from now on."""
    return WebhookSecret.of(await caller.services.webhooks.rotate(caller.principal.owner, webhook_id))


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryPage,
    responses={**_ERRORS, 400: {"description": "Not a cursor of this API"}},
)
async def list_webhook_deliveries(
    webhook_id: WebhookId, caller: Reader, limit: Limit = 20, cursor: Cursor = None
) -> DeliveryPage:
    """The webhook's deliveries, newest first, with every attempt and its outcome."""
    items, next_cursor = await caller.services.webhooks.deliveries(
        caller.principal.owner, webhook_id, limit=limit, cursor=cursor
    )
    return DeliveryPage(items=[DeliveryPublic.of(d) for d in items], next_cursor=next_cursor)
