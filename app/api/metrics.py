"""``GET /metrics``: the Prometheus exposition.

With ``CF_METRICS_TOKEN`` set it requires ``Authorization: Bearer <token>``. In production without a token it
is not served at all (404), so metrics are never public by accident; elsewhere it is open.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from app.api.deps import ServicesDep
from app.config import Environment
from app.errors import NotFound, Unauthenticated

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


@router.get("/metrics")
async def metrics(services: ServicesDep, authorization: Annotated[str | None, Header()] = None) -> Response:
    settings = services.settings
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if token is None and settings.environment is Environment.PRODUCTION:
        raise NotFound("Not Found", code="not_found")
    if token is not None and not _bearer_matches(authorization, token):
        raise Unauthenticated(
            "Send the metrics token as 'Authorization: Bearer <token>'.",
            code="metrics_token_required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        await services.jobs_in_flight.refresh()
    except Exception as exc:  # the store is down: still expose everything else (readiness reports the store)
        log.warning("jobs in flight not refreshed: %s", type(exc).__name__)
    return Response(services.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def _bearer_matches(authorization: str | None, token: str) -> bool:
    scheme, _, value = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())
