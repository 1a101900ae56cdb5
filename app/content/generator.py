"""The generator port: what the pipeline asks of any engine that writes artifacts, LLM or offline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from app.content.catalogue import ArtifactOptions, ArtifactType
from app.content.models import ArtifactModel, Difficulty, Outline


class Usage(BaseModel):
    """Tokens, calls and cost; summed per artifact and per job."""

    model_config = ConfigDict(frozen=True)

    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)
    cached_input_tokens: int = Field(
        default=0, ge=0, description="Of the input tokens, those the provider served from its prompt cache."
    )
    llm_calls: int = Field(default=0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            llm_calls=self.llm_calls + other.llm_calls,
            cost_usd=round(self.cost_usd + other.cost_usd, 8),
        )


@dataclass(frozen=True, slots=True)
class GenerationInput:
    """What the job asked for, as every prompt or engine sees it."""

    topic: str | None
    source_text: str | None
    language: str = "en"
    audience: str | None = None
    difficulty: Difficulty | None = None
    focus: str | None = None


@dataclass(frozen=True, slots=True)
class GenerationTask:
    artifact: ArtifactType
    input: GenerationInput
    controls: dict[str, Any] = field(default_factory=dict)
    outline: Outline | None = None  # every artifact but the outline itself is derived from it


@dataclass(frozen=True, slots=True)
class Generated:
    content: ArtifactModel
    usage: Usage = field(default_factory=Usage)


class GenerationError(Exception):
    """A generator could not produce the artifact. ``transient`` failures are retried by the queue."""

    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str = "generation_failed",
        retry_after: float | None = None,
        usage: Usage | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after
        self.usage = usage  # what the failed attempt spent, so it is accounted for


class TransientGenerationError(GenerationError):
    transient = True


class PermanentGenerationError(GenerationError):
    transient = False


REQUEST_CONTROLS = ("audience", "difficulty", "focus")  # the controls a request sets for all its artifacts


class Generator(Protocol):
    @property
    def provider(self) -> str: ...

    @property
    def model(self) -> str: ...

    @property
    def prompt_version(self) -> str: ...

    async def check(
        self, request: GenerationInput, artifacts: Sequence[ArtifactType], options: ArtifactOptions
    ) -> None:
        """Refuse, before a job is created, a request this engine cannot serve (raises ``Unprocessable``)."""
        ...

    async def generate(self, task: GenerationTask) -> Generated:
        """Produce one artifact, already validated against its model and controls."""
        ...

    def honoured(self, artifact: ArtifactType) -> frozenset[str]:
        """The controls this engine acts on for an artifact type: of ``REQUEST_CONTROLS`` and the type's own
        (``count``, ``minutes``). A request may set others; the job then lists them as unused."""
        ...


def unused_controls(
    generator: Generator, artifact: ArtifactType, request: GenerationInput, controls: dict[str, Any]
) -> tuple[str, ...]:
    """The controls a request sets for an artifact that the engine will not act on, in name order."""
    requested = {name for name in REQUEST_CONTROLS if getattr(request, name) is not None} | set(controls)
    return tuple(sorted(requested - generator.honoured(artifact)))
