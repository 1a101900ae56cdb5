"""The events a job's changes are told as, to webhooks and to Pub/Sub: one schema for both (``docs/events.md``).

A job's ``history`` (``Job.refresh``) is written in the same store write as the change it records, so it is the
outbox: ``events_of(job, after=v)`` reads the events of every change after version ``v`` from it. An event's id
names the job, the version and what happened, so a change told twice (a publisher that restarts after the write
and before it marked the events sent) is the same event twice, which consumers drop by id.

- ``artifact.succeeded`` / ``artifact.failed``: an artifact reached that status in this change;
- ``job.succeeded`` / ``job.partial`` / ``job.failed`` / ``job.cancelled``: the job finished so in this change
  (a retried job that finishes again tells it again, under a later version).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.jobs.models import FINISHED_JOBS, Job, JobChange, JobStatus, StepStatus
from app.jobs.schemas import JobPublic

SPEC_VERSION = "1.0"  # CloudEvents
SOURCE = "/content-factory/jobs"


class EventType(StrEnum):
    JOB_SUCCEEDED = "job.succeeded"
    JOB_PARTIAL = "job.partial"
    JOB_FAILED = "job.failed"
    JOB_CANCELLED = "job.cancelled"
    ARTIFACT_SUCCEEDED = "artifact.succeeded"
    ARTIFACT_FAILED = "artifact.failed"


_JOB_EVENTS = {
    JobStatus.SUCCEEDED: EventType.JOB_SUCCEEDED,
    JobStatus.PARTIAL: EventType.JOB_PARTIAL,
    JobStatus.FAILED: EventType.JOB_FAILED,
    JobStatus.CANCELLED: EventType.JOB_CANCELLED,
}
_ARTIFACT_EVENTS = {StepStatus.SUCCEEDED: EventType.ARTIFACT_SUCCEEDED, StepStatus.FAILED: EventType.ARTIFACT_FAILED}


class Event(BaseModel):
    """One event, as a webhook's body and a Pub/Sub message's data carry it."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable: the same change told twice has the same id.")
    type: EventType
    time: datetime = Field(description="When the change happened.")
    job_id: str
    version: int = Field(description="The job version this event describes.")
    artifact: str | None = Field(default=None, description="The artifact, for artifact.* events.")
    owner: str = Field(exclude=True)  # whose endpoints hear it; never sent
    job: dict[str, Any] = Field(description="The job (as GET /v1/jobs/{id} shows it) when the event was sent.")

    def attributes(self) -> dict[str, str]:
        """CloudEvents attributes (binary content mode) of the Pub/Sub message."""
        attributes = {
            "ce-specversion": SPEC_VERSION,
            "ce-id": self.id,
            "ce-type": self.type.value,
            "ce-source": SOURCE,
            "ce-subject": f"jobs/{self.job_id}",
            "ce-time": self.time.isoformat(),
            "content-type": "application/json",
        }
        if self.artifact is not None:
            attributes["ce-artifact"] = self.artifact
        return attributes

    def body(self) -> bytes:
        return self.model_dump_json().encode()


def events_of(job: Job, *, after: int) -> list[Event]:
    """The events of the job's changes after version ``after``, oldest first, as the job is now."""
    public = JobPublic.of(job).model_dump(mode="json")
    events: list[Event] = []
    previous: JobChange | None = None
    for change in job.history:
        if change.version > after:
            events.extend(_told(job, previous, change, public))
        previous = change
    return events


def _told(job: Job, before: JobChange | None, change: JobChange, public: dict[str, Any]) -> list[Event]:
    def event(kind: EventType, artifact: str | None = None) -> Event:
        suffix = f".{artifact}" if artifact else ""
        return Event(
            id=f"{job.id}.{change.version}.{kind.value}{suffix}",
            type=kind,
            time=change.at,
            job_id=job.id,
            version=change.version,
            artifact=artifact,
            owner=job.owner,
            job=public,
        )

    told: list[Event] = []
    for artifact, status in change.steps.items():
        was = before.steps.get(artifact) if before is not None else None
        if status in _ARTIFACT_EVENTS and was != status:
            told.append(event(_ARTIFACT_EVENTS[status], artifact))
    was_finished = before is not None and before.status in FINISHED_JOBS and before.status == change.status
    if change.status in FINISHED_JOBS and not was_finished:
        told.append(event(_JOB_EVENTS[change.status]))
    return told
