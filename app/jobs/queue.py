"""The task queue port. Adapters: an in-process queue (embedded) and Cloud Tasks (production).

A task is one step: one artifact of one job, at one retry generation. Its name is derived from those three,
so enqueueing the same step twice is deduplicated. A step the sweeper finds stranded is enqueued again under a
new name (its ``recovery`` count): Cloud Tasks keeps the name of a finished or abandoned task for about an
hour and refuses to reuse it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.content.catalogue import ArtifactType


@dataclass(frozen=True, slots=True)
class Step:
    job_id: str
    artifact: ArtifactType
    generation: int = 0
    recovery: int = 0  # how many times the sweeper enqueued this step again; names the task only
    audio: bool = False  # the podcast script read aloud (``Job.audio``), after the script's own step

    @property
    def key(self) -> tuple[str, str, int]:
        """The step itself, whatever task carries it: in-process queues deduplicate on this."""
        return (self.job_id, self.part, self.generation)

    @property
    def part(self) -> str:
        """What the step makes: the artifact, or its audio (``podcast_script.audio``)."""
        return f"{self.artifact.value}.audio" if self.audio else self.artifact.value

    @property
    def task_name(self) -> str:
        name = f"{self.job_id}-{self.part.replace('.', '-')}-g{self.generation}"
        return f"{name}-r{self.recovery}" if self.recovery else name


class Outcome(StrEnum):
    DONE = "done"  # the artifact was recorded
    FAILED = "failed"  # a permanent failure was recorded on the artifact
    SKIPPED = "skipped"  # nothing to do: finished, cancelled, superseded or deleted
    RETRY = "retry"  # transient failure: deliver again later


@dataclass(frozen=True, slots=True)
class StepResult:
    outcome: Outcome
    retry_after: float | None = None
    reason: str | None = None


StepHandler = Callable[[Step], Awaitable[StepResult]]


class TaskQueue(Protocol):
    async def enqueue(self, steps: Sequence[Step]) -> None:
        """Schedule the steps; a step already scheduled is not scheduled twice."""
        ...

    async def close(self) -> None:
        """Stop taking work; in-process adapters cancel what is in flight (it is resumed at next start)."""
        ...
