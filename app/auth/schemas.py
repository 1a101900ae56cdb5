"""Request and response bodies of the key administration API (``/v1/admin/keys``) and CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from limits import parse_many
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.auth.models import ApiKey, Scope

KEY_ID_PATTERN = r"^[0-9a-f]{20}$"
MAX_GRACE_SECONDS = 7 * 24 * 3600


def _rate_limit(value: str) -> str:
    try:
        parsed = parse_many(value)
    except ValueError:
        parsed = []
    if not parsed or any(item.amount < 1 for item in parsed):
        raise ValueError("must be a rate limit such as '1000/hour'")
    return value


# No ':' in an owner: ``uid:<uid>`` is how Identity Platform users own jobs, and a key must not act for one.
Owner = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")]
KeyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
RateLimit = Annotated[str, StringConstraints(max_length=100), AfterValidator(_rate_limit)]


class KeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"owner": "team-a", "name": "frontend", "scopes": ["jobs:read", "jobs:write"]}]
        },
    )

    owner: Owner = Field(description="Who the key acts for: keys of one owner see the same jobs.")
    name: KeyName = Field(description="A label for people, e.g. where the key is used.")
    scopes: list[Scope] = Field(default=[Scope.JOBS_READ, Scope.JOBS_WRITE], min_length=1, max_length=len(Scope))
    daily_token_budget: int | None = Field(
        default=None, ge=0, le=10**12, description="Tokens per UTC day; unset: the server's CF_DAILY_TOKEN_BUDGET."
    )
    rate_limit: RateLimit | None = Field(
        default=None, description="Generation requests allowed to this key, e.g. '1000/hour'; unset: the server's."
    )

    @field_validator("scopes")
    @classmethod
    def _unique_scopes(cls, value: list[Scope]) -> list[Scope]:
        if len(set(value)) != len(value):
            raise ValueError("scopes must not repeat")
        return value


class KeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_seconds: int = Field(
        default=0, ge=0, le=MAX_GRACE_SECONDS, description="How long the old key keeps working (0: stops now)."
    )


class KeyPublic(BaseModel):
    """A key as administrators see it: never the key itself, nor its hash."""

    id: str
    owner: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    revoked_at: datetime | None = Field(description="When the key stopped (or stops) working.")
    active: bool
    daily_token_budget: int | None
    rate_limit: str | None
    replaced_by: str | None = Field(description="The key a rotation replaced this one with.")

    @classmethod
    def of(cls, key: ApiKey, now: datetime) -> KeyPublic:
        return cls.model_validate(_public_fields(key, now))


class KeyDetail(KeyPublic):
    tokens_used_today: int = Field(description="Tokens recorded for this key since 00:00 UTC.")


class KeyCreated(KeyPublic):
    key: str = Field(description="The API key. Shown only in this response: store it now.")


class KeyPage(BaseModel):
    items: list[KeyPublic]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


def _public_fields(key: ApiKey, now: datetime) -> dict[str, object]:
    return {
        "id": key.id,
        "owner": key.owner,
        "name": key.name,
        "scopes": list(key.scopes),
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "active": key.active(now),
        "daily_token_budget": key.daily_token_budget,
        "rate_limit": key.rate_limit,
        "replaced_by": key.replaced_by,
    }


def key_detail(key: ApiKey, now: datetime, used_today: int) -> KeyDetail:
    return KeyDetail.model_validate({**_public_fields(key, now), "tokens_used_today": used_today})


def key_created(key: ApiKey, now: datetime, secret: str) -> KeyCreated:
    return KeyCreated.model_validate({**_public_fields(key, now), "key": secret})
