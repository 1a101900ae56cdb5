"""Daily token quotas: a key (or user) with a budget may not start work that would take it past the budget.

Before any model is called (job creation, retry), the work's tokens are estimated from the source length and
the artifacts asked for, and refused with 429 ``quota_exceeded`` when today's recorded usage plus the estimate
exceeds the budget; each artifact's output tokens are declared with its type in the catalogue. The step pipeline
records what each generation used as it returns (``record``) into per-day counters in the key store. Jobs
admitted together are each checked against the usage recorded so far, so together they may pass the budget by at
most their own estimates; the next job after them is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from app.content.catalogue import ArtifactType, spec_of
from app.errors import TooManyRequests
from app.jobs.models import JobRequest
from app.jobs.service import Requester

CHARS_PER_TOKEN = 4  # English prose averages about four characters per token
PROMPT_TOKENS = 800  # instructions, schema and request details around the source in each prompt


def estimate_tokens(request: JobRequest, artifacts: Sequence[ArtifactType]) -> int:
    """A generous estimate of the tokens generating ``artifacts`` for ``request`` takes, input and output."""
    text = (request.source_text or "") + (request.topic or "") + (request.focus or "") + (request.audience or "")
    source = math.ceil(len(text) / CHARS_PER_TOKEN)
    total = 0
    outline_tokens = spec_of(ArtifactType.OUTLINE).output_tokens.tokens  # every other prompt carries it
    for artifact in artifacts:
        estimate = spec_of(artifact).output_tokens  # declared with the type in the catalogue
        units = 1 if estimate.per is None else int(request.options.for_type(artifact)[estimate.per])
        output = estimate.tokens * units
        outline = 0 if artifact is ArtifactType.OUTLINE else outline_tokens
        total += PROMPT_TOKENS + source + outline + output
    return total


class UsageCounter(Protocol):
    """Tokens per subject and UTC day (the key store keeps them: ``app.auth.store.KeyStore``)."""

    async def add_usage(self, subject: str, day: date, tokens: int) -> None: ...

    async def usage(self, subject: str, day: date) -> int: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Quotas:
    store: UsageCounter
    now: Callable[[], datetime] = field(default=_utcnow)

    async def __call__(self, requester: Requester, request: JobRequest, artifacts: Sequence[ArtifactType]) -> None:
        """Admit the work, or raise 429 ``quota_exceeded`` (the ``Admission`` of ``JobsService``)."""
        budget = requester.daily_token_budget
        if budget is None or not artifacts:
            return
        now = self.now()
        used = await self.store.usage(requester.key_id, now.date())
        estimate = estimate_tokens(request, artifacts)
        if used + estimate <= budget:
            return
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        wait = max(1, math.ceil((midnight - now).total_seconds()))
        raise TooManyRequests(
            f"This job needs about {estimate:,} tokens and {used:,} of today's {budget:,} are used; "
            "the budget renews at 00:00 UTC.",
            code="quota_exceeded",
            details={"budget": budget, "used": used, "estimate": estimate, "resets_at": midnight.isoformat()},
            headers={"Retry-After": str(wait)},
        )

    async def record(self, subject: str, tokens: int) -> None:
        if tokens > 0:
            await self.store.add_usage(subject, self.now().date(), tokens)
