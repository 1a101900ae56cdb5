"""What the generator needs from a model provider: one structured-output completion, and errors it can sort.

ProviderError
├── transient (429, 5xx, timeouts, connection errors): retried with backoff, ``retry_after`` honoured
└── permanent (400, 401, 403, 404, …): fails the artifact at once
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol


class Finish(StrEnum):
    STOP = "stop"
    LENGTH = "length"  # cut off at the output token limit
    REFUSAL = "refusal"  # the model or its safety filter declined
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Message:
    role: Literal["user", "assistant"]
    text: str


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    finish: Finish
    input_tokens: int
    output_tokens: int
    refusal: str | None = None
    cached_input_tokens: int = 0  # of the input tokens, those the provider's prompt cache served


class ProviderError(Exception):
    def __init__(
        self, message: str, *, transient: bool, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.status = status
        self.retry_after = retry_after


def is_transient_status(status: int | None) -> bool:
    return status is None or status in (408, 409, 429) or status >= 500


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form; HTTP dates are rare from these APIs)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class ProviderClient(Protocol):
    @property
    def provider(self) -> str: ...

    @property
    def model(self) -> str: ...

    async def complete(
        self,
        *,
        system: str,
        messages: list[Message],
        schema: dict[str, Any] | None,
        schema_name: str,
        max_output_tokens: int,
        shared_prefix: int = 0,
        thinking_tokens: int = 0,
    ) -> Completion:
        """One call. ``schema`` (already simplified for this provider) is enforced by the provider when given.

        ``shared_prefix`` is how many characters at the start of the first message every call of the job shares
        (the fenced source), which a provider with an explicit context cache may cache. ``thinking_tokens`` is the
        budget for a thinking model's reasoning, on top of ``max_output_tokens``; 0 leaves it to the model."""
        ...

    async def close(self) -> None: ...
