"""Recording each finished step's token usage against the key (or user) that created the job.

The pipeline records a step's usage on the job, in the store transaction that finishes the step.
``UsageRecordingStore`` is the job store as the pipeline sees it: it watches those transactions and adds every
usage that a committed change newly set (``None`` before, a value after) to the daily counter of the job's
``key_id``. A repeated delivery of a finished step changes nothing, so it adds nothing; a retried transaction
reports only the run that committed. Every other method is the wrapped store's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from app.jobs.models import Job
from app.jobs.store import ForwardingJobStore, JobStore
from app.limits.quotas import Quotas

log = logging.getLogger(__name__)

T = TypeVar("T")


class UsageRecordingStore(ForwardingJobStore):
    def __init__(self, store: JobStore, quotas: Quotas) -> None:
        super().__init__(store)
        self._quotas = quotas

    async def update_job(self, job_id: str, change: Callable[[Job], T]) -> tuple[Job, T] | None:
        recorded: list[tuple[str | None, int]] = []

        def observed(job: Job) -> T:
            before = {artifact: state.usage for artifact, state in job.steps.items()}
            result = change(job)
            recorded[:] = [
                (job.key_id, state.usage.input_tokens + state.usage.output_tokens)
                for artifact, state in job.steps.items()
                if state.usage is not None and before.get(artifact) is None
            ]
            return result

        changed = await self._store.update_job(job_id, observed)
        for subject, tokens in recorded if changed is not None else ():
            if subject is not None:
                try:
                    await self._quotas.record(subject, tokens)
                except Exception:  # the step is done and stays done; only the quota undercounts
                    log.exception("could not record %d tokens of job %s", tokens, job_id)
        return changed
