"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import ServicesDep

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)

_CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "A backend is not ready"}})
async def readyz(services: ServicesDep) -> JSONResponse:
    """Every configured backend answers."""
    checks = {"store": services.store.ping, "cache": services.cache.ping}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check(), _CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception as exc:  # any failure means not ready; the reason goes to the log, not the body
            log.warning("readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = "unavailable"
    ready = all(v == "ok" for v in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": results}, status_code=200 if ready else 503
    )
