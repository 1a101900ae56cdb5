"""The JSON body of ``GET /v1/jobs/{id}``, rendered once per committed version of a job.

Clients poll that route, and between two writes every poll returns the same body. A store that keeps recent
jobs in memory (the SQLite store does) hands back the same ``Job`` object until the job is written again, and a
new object after each write, so the object is the version: the body is kept beside a weak reference to the
``Job`` it was rendered from and reused while the store hands back that same object. A store that builds a new
``Job`` on every read (Firestore) simply renders each time. Only bodies are held here, never jobs, and at most
``size`` of them.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

from app.jobs.models import Job
from app.jobs.schemas import JobPublic

_render = JobPublic.__pydantic_serializer__.to_json


class JobViews:
    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._bodies: OrderedDict[str, tuple[weakref.ref[Job], bytes]] = OrderedDict()

    def body(self, job: Job) -> bytes:
        kept = self._bodies.get(job.id)
        if kept is not None and kept[0]() is job:
            self._bodies.move_to_end(job.id)
            return kept[1]
        body = _render(JobPublic.of(job))
        self._bodies[job.id] = (weakref.ref(job), body)
        self._bodies.move_to_end(job.id)
        if len(self._bodies) > self._size:
            self._bodies.popitem(last=False)
        return body
