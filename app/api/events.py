"""``GET /v1/jobs/{id}/events``: a job's changes as Server-Sent Events (``sse-starlette``).

The stream watches the store, not this process: it reads the job once a poll (``CF_EVENTS_POLL_SECONDS``) and
sends each change in the job's history it has not sent yet, so the work may run on any instance. Each event's
id is the job version it describes; a client that reconnects with ``Last-Event-ID`` gets the changes after it
(or, when those have left the history, the job as it is now). A comment line every
``CF_EVENTS_HEARTBEAT_SECONDS`` keeps proxies from closing a quiet stream. The stream ends after the terminal
change, or after ``CF_EVENTS_MAX_SECONDS`` (the client resumes), and a process holds at most
``CF_EVENTS_MAX_STREAMS`` at once: each costs one coroutine and one store read a poll.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Path
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.api.deps import Reader
from app.errors import NotFound
from app.jobs.models import FINISHED_JOBS, TERMINAL_STEPS, Job, JobChange
from app.jobs.schemas import JobPublic

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

JobId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _after(last_event_id: str | None) -> int:
    if last_event_id is None or not last_event_id.strip().isdigit():
        return 0
    return int(last_event_id.strip())


def change_event(change: JobChange, total: int) -> ServerSentEvent:
    parts = [*change.steps.values(), *([] if change.audio is None else [change.audio])]
    done = sum(1 for status in parts if status in TERMINAL_STEPS)
    data: dict[str, object] = {
        "version": change.version,
        "status": change.status.value,
        "artifacts": {name: status.value for name, status in change.steps.items()},
        "progress": {"done": done, "total": total, "percent": round(100 * done / total) if total else 100},
        "at": change.at.isoformat(),
    }
    if change.audio is not None:
        data["audio"] = change.audio.value
    return ServerSentEvent(json.dumps(data), event="change", id=str(change.version))


def snapshot_event(job: Job) -> ServerSentEvent:
    """The whole job, for a client whose last event has left the history."""
    body = JobPublic.of(job).model_dump_json()
    return ServerSentEvent(body, event="snapshot", id=str(job.version))


@router.get(
    "/{job_id}/events",
    responses={
        200: {
            "description": "text/event-stream: `change` events (id = job version), `snapshot` when a resume point "
            "is gone, `end` after the terminal change; comment heartbeats",
            "content": {"text/event-stream": {}},
        },
        404: {"description": "No such job for this key"},
        503: {"description": "This instance holds its maximum of open streams"},
    },
)
async def get_job_events(
    job_id: JobId,
    caller: Reader,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", max_length=20, description="The id of the last event received: resume after it"),
    ] = None,
) -> EventSourceResponse:
    """The job's changes as they happen, until it finishes. Browsers may read it with a streaming ``fetch`` that
    sends ``X-API-Key`` (``EventSource`` cannot set headers)."""
    owner = caller.principal
    jobs = caller.jobs
    settings = caller.services.settings
    job = await jobs.get(owner, job_id)  # 404 before the stream starts
    streams = caller.services.streams
    streams.take()

    async def stream() -> AsyncIterator[ServerSentEvent]:
        sent = _after(last_event_id)
        current: Job | None = job
        deadline = time.monotonic() + settings.events_max_seconds
        try:
            while current is not None:
                total = len(current.parts())
                fresh = [c for c in current.history if c.version > sent]
                if fresh and fresh[0].version > sent + 1 and sent > 0:
                    yield snapshot_event(current)  # some changes were dropped from the history: the job as it is
                    fresh = []
                for change in fresh:
                    yield change_event(change, total)
                sent = max(sent, current.version)
                if current.status in FINISHED_JOBS:
                    yield ServerSentEvent(json.dumps({"version": current.version}), event="end", id=str(sent))
                    return
                if time.monotonic() >= deadline:
                    return  # the client reconnects with Last-Event-ID
                await asyncio.sleep(settings.events_poll_seconds)
                try:
                    current = await jobs.get(owner, job_id)
                except NotFound:
                    current = None
            yield ServerSentEvent(json.dumps({"id": job_id}), event="deleted")
        finally:
            streams.give_back()

    return EventSourceResponse(
        stream(),
        ping=settings.events_heartbeat_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
