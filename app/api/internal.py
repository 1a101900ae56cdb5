"""The endpoints Google Cloud calls, authenticated as the worker (an OIDC token for ``CF_TASKS_SERVICE_ACCOUNT``
with the worker URL as audience, or the worker secret outside production):

- ``POST /internal/tasks/steps``, Cloud Tasks: one step per request. Answers 2xx for a recorded success, a
  recorded permanent failure, and a step with nothing left to do (so Cloud Tasks stops), and 503 +
  ``Retry-After`` for anything worth retrying (so it tries again).
- ``POST /internal/tasks/deliveries``, Cloud Tasks: one attempt of a webhook delivery, which schedules the next
  one itself (the backoff is the delivery's, not the queue's). Answers 2xx once the attempt is recorded, whatever
  the endpoint answered, and 503 when the store is unavailable (so Cloud Tasks tries again).
- ``POST /internal/sweep``, Cloud Scheduler (``infra/cloudscheduler``): one pass of the sweeper; answers what
  it recovered, by reason, or 503 when the store is unavailable (the scheduler retries).
"""

from __future__ import annotations

import logging
import math
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import ServicesDep
from app.content.catalogue import ArtifactType
from app.jobs.queue import Outcome, Step

router = APIRouter(prefix="/internal", include_in_schema=False)
log = logging.getLogger(__name__)

_DEFAULT_RETRY_AFTER_SECONDS = 10


class StepTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    artifact: ArtifactType
    generation: int = Field(ge=0)
    audio: bool = False  # the artifact's audio step (a podcast script read aloud), not the artifact itself


class DeliveryTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivery_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


async def worker(
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
    x_cf_worker_secret: Annotated[str | None, Header()] = None,
) -> str:
    return await services.worker_auth.verify(authorization, x_cf_worker_secret)


@router.post("/tasks/steps")
async def run_step(
    task: StepTask,
    services: ServicesDep,
    caller: Annotated[str, Depends(worker)],
    x_cloudtasks_taskname: Annotated[str | None, Header()] = None,
    x_cloudtasks_taskretrycount: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    step = Step(task.job_id, task.artifact, task.generation, audio=task.audio)
    log.info(
        "step %s delivered (task %s, retry %s) by %s",
        step.task_name,
        x_cloudtasks_taskname,
        x_cloudtasks_taskretrycount,
        caller,
    )
    try:
        result = await services.pipeline.run_step(step)
    except Exception:  # the store or queue failed under us: the step is untouched, so let Cloud Tasks retry
        log.exception("step %s could not run", step.task_name)
        return _retry_later(_DEFAULT_RETRY_AFTER_SECONDS, "store or queue unavailable")
    if result.outcome is Outcome.RETRY:
        seconds = result.retry_after if result.retry_after is not None else _DEFAULT_RETRY_AFTER_SECONDS
        return _retry_later(seconds, result.reason)
    return JSONResponse({"outcome": result.outcome.value, "reason": result.reason})


@router.post("/tasks/deliveries")
async def run_delivery(
    task: DeliveryTask, services: ServicesDep, caller: Annotated[str, Depends(worker)]
) -> JSONResponse:
    try:
        await services.deliverer.attempt(task.delivery_id)
    except Exception:
        log.exception("webhook delivery %s could not be attempted (for %s)", task.delivery_id, caller)
        return _retry_later(_DEFAULT_RETRY_AFTER_SECONDS, "store or queue unavailable")
    return JSONResponse({"delivery_id": task.delivery_id})


def _retry_later(seconds: float, reason: str | None) -> JSONResponse:
    return JSONResponse(
        {"outcome": Outcome.RETRY.value, "reason": reason},
        status_code=503,
        headers={"Retry-After": str(max(1, math.ceil(seconds)))},
    )


@router.post("/sweep")
async def sweep(services: ServicesDep, caller: Annotated[str, Depends(worker)]) -> JSONResponse:
    try:
        found = await services.sweeper.sweep()
    except Exception:
        log.exception("sweep requested by %s failed", caller)
        return _retry_later(_DEFAULT_RETRY_AFTER_SECONDS, "store or queue unavailable")
    if found:
        log.warning("sweep requested by %s recovered steps: %s", caller, dict(found))
    return JSONResponse({"recovered": dict(found)})
