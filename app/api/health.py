"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

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


@router.get("/readyz", responses={503: {"description": "The job store is not reachable"}})
async def readyz(services: ServicesDep) -> JSONResponse:
    """The store answers (required); the cache answers (optional: without it jobs still run, uncached)."""
    store = await _check("store", services.store.ping)
    cache = await _check("cache", services.cache.ping)
    checks = {"store": "ok" if store else "unavailable", "cache": "ok" if cache else "degraded"}
    return JSONResponse(
        {"status": "ready" if store else "not_ready", "checks": checks}, status_code=200 if store else 503
    )


async def _check(name: str, ping: Callable[[], Awaitable[None]]) -> bool:
    try:
        await asyncio.wait_for(ping(), _CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means not reachable; the reason goes to the log, not the body
        log.warning("readiness check %s failed: %s", name, type(exc).__name__)
        return False
    return True
