"""Settings: the one place configuration is read, validated once at start-up."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Used only outside production when CF_KEY_PEPPER is unset; production refuses to start without a real one.
DEVELOPMENT_PEPPER = "content-factory-development-pepper"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class StoreKind(StrEnum):
    SQLITE = "sqlite"
    FIRESTORE = "firestore"


class QueueKind(StrEnum):
    INLINE = "inline"
    CLOUDTASKS = "cloudtasks"


class CacheKind(StrEnum):
    MEMORY = "memory"
    REDIS = "redis"


class LlmProvider(StrEnum):
    EXTRACTIVE = "extractive"
    GEMINI = "gemini"
    OPENAI = "openai"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CF_", extra="ignore", frozen=True, env_ignore_empty=True)

    environment: Environment = Environment.DEVELOPMENT
    store: StoreKind = StoreKind.SQLITE
    sqlite_path: Path = Path("./data/content-factory.db")
    queue: QueueKind = QueueKind.INLINE
    cache: CacheKind = CacheKind.MEMORY
    redis_url: str = "redis://127.0.0.1:6379/0"
    llm_provider: LlmProvider = LlmProvider.EXTRACTIVE
    llm_model: str | None = None

    bootstrap_admin_key: SecretStr | None = None
    key_pepper: SecretStr | None = None
    # How long a verified key is remembered in process; a revoked key stops working within this time.
    key_cache_seconds: float = Field(default=30.0, ge=0, le=600)

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Pipeline
    step_concurrency: int = Field(default=4, ge=1, le=64)
    step_max_attempts: int = Field(default=5, ge=1, le=20)
    step_retry_base_seconds: float = Field(default=1.0, ge=0, le=60)
    step_retry_max_seconds: float = Field(default=60.0, ge=0, le=3600)
    step_lease_seconds: float = Field(default=300.0, ge=1, le=3600)
    cache_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=0)
    cache_max_entries: int = Field(default=2048, ge=1)
    job_ttl_days: int = Field(default=30, ge=1, le=3650)

    # Request limits
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    @model_validator(mode="before")
    @classmethod
    def _split_origins(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("cors_origins"), str):
            raw: str = data["cors_origins"]
            data = {**data, "cors_origins": [o.strip() for o in raw.split(",") if o.strip()]}
        return data

    @model_validator(mode="after")
    def _check_combinations(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            pepper = self.key_pepper.get_secret_value() if self.key_pepper else ""
            if len(pepper) < 16 or pepper == DEVELOPMENT_PEPPER:
                raise ValueError("CF_KEY_PEPPER must be set to a secret of at least 16 characters in production")
        if self.step_retry_max_seconds < self.step_retry_base_seconds:
            raise ValueError("CF_STEP_RETRY_MAX_SECONDS must not be below CF_STEP_RETRY_BASE_SECONDS")
        unbuilt = {
            "CF_STORE": self.store is not StoreKind.SQLITE,
            "CF_QUEUE": self.queue is not QueueKind.INLINE,
            "CF_CACHE": self.cache is not CacheKind.MEMORY,
            "CF_LLM_PROVIDER": self.llm_provider is not LlmProvider.EXTRACTIVE,
        }
        chosen = [name for name, missing in unbuilt.items() if missing]
        if chosen:
            raise ValueError(
                f"{', '.join(chosen)}: only the embedded adapters (sqlite, inline, memory, extractive) "
                "are available in this release"
            )
        return self

    @property
    def pepper(self) -> bytes:
        value = self.key_pepper.get_secret_value() if self.key_pepper else DEVELOPMENT_PEPPER
        return value.encode()
