"""What one pipeline step reports: its latency and outcome, the steps in progress, and its Sentry scope."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.jobs.queue import Outcome, Step
from app.observability.metrics import Metrics, StepOutcome
from app.observability.sentry import breadcrumb, step_scope

_OUTCOMES: dict[Outcome, StepOutcome] = {
    Outcome.DONE: "done",
    Outcome.FAILED: "failed",
    Outcome.SKIPPED: "skipped",
    Outcome.RETRY: "retry",
}


@dataclass(slots=True)
class StepObservation:
    """Call ``ended`` before the block ends; a step that raises is recorded as ``error``."""

    outcome: StepOutcome = "error"

    def ended(self, outcome: Outcome) -> None:
        self.outcome = _OUTCOMES[outcome]


@contextmanager
def observe_step(metrics: Metrics, step: Step, *, provider: str) -> Iterator[StepObservation]:
    observation = StepObservation()
    artifact = step.part  # the artifact, or its audio (``podcast_script.audio``)
    started = time.perf_counter()
    metrics.step_started()
    with step_scope(job_id=step.job_id, artifact=artifact, provider=provider):
        breadcrumb("step started", job_id=step.job_id, artifact=artifact, generation=step.generation)
        try:
            yield observation
        except asyncio.CancelledError:
            # Shutdown: the pipeline hands the step back for the next delivery; neither a latency nor an outcome.
            metrics.step_abandoned()
            raise
        except Exception:
            metrics.step_finished(artifact=artifact, outcome="error", seconds=time.perf_counter() - started)
            raise
        metrics.step_finished(artifact=artifact, outcome=observation.outcome, seconds=time.perf_counter() - started)
        breadcrumb(f"step {observation.outcome}", job_id=step.job_id, artifact=artifact)
