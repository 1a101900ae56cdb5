"""What some calls return that is not an API body: a downloaded file, the outcome of ``generate``."""

from __future__ import annotations

from dataclasses import dataclass, field

from content_factory_client.models import Artifact, ErrorInfo, Job


@dataclass(frozen=True, slots=True)
class Download:
    content: bytes
    media_type: str
    filename: str  # a bare file name (no directory), from Content-Disposition or made from the request


@dataclass(frozen=True, slots=True)
class GenerationResult:
    job: Job  # as it finished
    artifacts: dict[str, Artifact] = field(default_factory=dict)  # every artifact that succeeded, typed
    failed: dict[str, ErrorInfo] = field(default_factory=dict)  # every artifact that failed or was cancelled

    @property
    def succeeded(self) -> bool:
        return self.job.status == "succeeded"


def succeeded_artifacts(job: Job) -> list[str]:
    return [name for name, state in job.artifacts.items() if state.status == "succeeded"]


def failed_artifacts(job: Job) -> dict[str, ErrorInfo]:
    """Each artifact that failed or was cancelled, with its error (a cancelled one may have none)."""
    return {
        name: state.error or ErrorInfo(code=state.status, message=f"The {name} artifact was {state.status}.")
        for name, state in job.artifacts.items()
        if state.status in ("failed", "cancelled")
    }
