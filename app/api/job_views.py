"""The representation of ``GET /v1/jobs/{id}``: its ETag, conditional requests, and its body, rendered once per
version of a job.

Every change to a job raises its ``version`` (``app.jobs.lifecycle``), so ``(id, version)`` names one body. Clients
poll this route, and between two changes every poll gets the same body: it is kept in a small LRU keyed by that
pair, whichever store the job came from, and a poll that sends the ETag it already has gets a 304 and no body.
"""

from __future__ import annotations

from collections import OrderedDict

from app.jobs.models import Job
from app.jobs.schemas import JobPublic


class JobViews:
    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._bodies: OrderedDict[tuple[str, int], bytes] = OrderedDict()

    @staticmethod
    def etag(job: Job) -> str:
        return f'"{job.version}"'

    def matches(self, job: Job, if_none_match: str | None) -> bool:
        """Whether ``If-None-Match`` names the job's current version (weak comparison, RFC 9110 §13.1.2)."""
        if not if_none_match:
            return False
        if if_none_match.strip() == "*":
            return True
        current = self.etag(job)
        return any(tag.strip().removeprefix("W/") == current for tag in if_none_match.split(","))

    def body(self, job: Job) -> bytes:
        key = (job.id, job.version)
        body = self._bodies.get(key)
        if body is not None:
            self._bodies.move_to_end(key)
            return body
        body = JobPublic.of(job).model_dump_json().encode()
        self._bodies[key] = body
        if len(self._bodies) > self._size:
            self._bodies.popitem(last=False)
        return body
