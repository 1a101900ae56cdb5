"""API keys as stored (a keyed hash, never the key) and the principal a request acts for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class Scope(StrEnum):
    JOBS_WRITE = "jobs:write"
    JOBS_READ = "jobs:read"
    ADMIN = "admin"


class ApiKey(BaseModel):
    id: str
    hash: str
    owner: str
    name: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    # When the key stops working: now for a revoked key, later for the old key of a rotation with a grace period.
    revoked_at: datetime | None = None
    daily_token_budget: int | None = None  # unset: CF_DAILY_TOKEN_BUDGET
    rate_limit: str | None = None  # generation requests; unset: CF_RATE_LIMIT_PER_KEY
    replaced_by: str | None = None  # the key id a rotation created

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None or self.revoked_at > now


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for. Jobs belong to ``owner``; rate limits and quotas count per ``key_id``, which is
    the API key's id, or ``uid:<uid>`` for an Identity Platform user."""

    owner: str
    key_id: str
    scopes: frozenset[Scope]
    daily_token_budget: int | None = None
    rate_limit: str | None = None
    expires_at: datetime | None = None  # when the credential stops working (a rotated key, an ID token)
