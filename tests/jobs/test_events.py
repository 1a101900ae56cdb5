"""A job's events, read from its history: each artifact's end and the job's end told once, under stable ids."""

from __future__ import annotations

from datetime import timedelta

from app.content.catalogue import ArtifactType
from app.jobs.events import EventType, events_of
from app.jobs.models import StepStatus
from tests.fixtures.jobs import T0, make_job


def _step(job, artifact: ArtifactType, status: StepStatus, minute: int) -> None:
    job.steps[artifact].status = status
    job.refresh(T0 + timedelta(minutes=minute))


def test_each_end_is_told_once_in_order_with_stable_ids() -> None:
    job = make_job("j1")
    _step(job, ArtifactType.OUTLINE, StepStatus.RUNNING, 1)
    _step(job, ArtifactType.OUTLINE, StepStatus.SUCCEEDED, 2)
    _step(job, ArtifactType.FAQ, StepStatus.SUCCEEDED, 3)
    _step(job, ArtifactType.FLASHCARDS, StepStatus.FAILED, 4)
    told = events_of(job, after=0)
    assert [(e.type, e.artifact) for e in told] == [
        (EventType.ARTIFACT_SUCCEEDED, "outline"),
        (EventType.ARTIFACT_SUCCEEDED, "faq"),
        (EventType.ARTIFACT_FAILED, "flashcards"),
        (EventType.JOB_PARTIAL, None),
    ]
    assert told[-1].id == f"j1.{job.version}.job.partial" and told[0].id == "j1.3.artifact.succeeded.outline"
    assert [e.id for e in events_of(job, after=0)] == [e.id for e in told]  # read again: the same events
    assert [e.type for e in events_of(job, after=told[1].version)] == [EventType.ARTIFACT_FAILED, EventType.JOB_PARTIAL]
    assert events_of(job, after=job.version) == []
    assert all(e.job["status"] == "partial" and e.job["id"] == "j1" for e in told)
    assert "owner" not in told[0].model_dump(mode="json")
    attributes = told[-1].attributes()
    assert attributes["ce-type"] == "job.partial" and attributes["ce-id"] == told[-1].id


def test_a_retried_job_that_finishes_again_tells_it_again_under_a_later_version() -> None:
    job = make_job("j2")
    for artifact in job.steps:
        job.steps[artifact].status = StepStatus.FAILED
    job.refresh(T0 + timedelta(minutes=1))
    first = events_of(job, after=0)
    assert first[-1].type is EventType.JOB_FAILED
    for artifact in job.steps:
        job.steps[artifact].status = StepStatus.QUEUED
    job.refresh(T0 + timedelta(minutes=2))
    for artifact in job.steps:
        job.steps[artifact].status = StepStatus.SUCCEEDED
    job.refresh(T0 + timedelta(minutes=3))
    again = events_of(job, after=first[-1].version)
    assert again[-1].type is EventType.JOB_SUCCEEDED and len(again) == 4
    assert {e.id for e in again}.isdisjoint(e.id for e in first)
