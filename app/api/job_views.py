"""The representation of ``GET /v1/jobs/{id}``: its ETag, conditional requests, and its body, rendered once per
version of a job.

Every change to a job raises its ``version`` and sets its ``updated_at`` (``app.jobs.lifecycle``); the ETag names
both, and the revision of this representation, so it changes whenever the body can — also if a version number
were ever reused (a store restored from a backup, a writer that knew no versions). Clients poll this route, and
between two changes every poll gets the same body: the last body of each job is kept beside its ETag in a small
LRU, whichever store the job came from, and a poll that sends the ETag it already has gets a 304 and no body.
"""

from __future__ import annotations

from collections import OrderedDict

from app.jobs.models import Job
from app.jobs.schemas import JobPublic

REVISION = 1  # raise when JobPublic changes shape, so that no client keeps a body of the old shape


class JobViews:
    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._bodies: OrderedDict[str, tuple[str, bytes]] = OrderedDict()  # job id -> (ETag, body)

    @staticmethod
    def etag(job: Job) -> str:
        changed = round(job.updated_at.timestamp() * 1_000_000)
        return f'"{REVISION}.{job.version}.{changed:x}"'

    def matches(self, job: Job, if_none_match: str | None) -> bool:
        """Whether ``If-None-Match`` names the job's current version (weak comparison, RFC 9110 §13.1.2)."""
        if not if_none_match:
            return False
        if if_none_match.strip() == "*":
            return True
        current = self.etag(job)
        return any(tag.strip().removeprefix("W/") == current for tag in if_none_match.split(","))

    def body(self, job: Job) -> bytes:
        tag = self.etag(job)
        kept = self._bodies.get(job.id)
        if kept is not None and kept[0] == tag:
            self._bodies.move_to_end(job.id)
            return kept[1]
        body = JobPublic.of(job).model_dump_json().encode()
        self._bodies[job.id] = (tag, body)  # replaces the job's previous version
        self._bodies.move_to_end(job.id)
        if len(self._bodies) > self._size:
            self._bodies.popitem(last=False)
        return body
