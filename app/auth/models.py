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
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for. Jobs belong to ``owner``."""

    owner: str
    key_id: str
    scopes: frozenset[Scope]
