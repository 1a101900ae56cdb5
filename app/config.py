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
    model_config = SettingsConfigDict(
        env_prefix="CF_", extra="ignore", frozen=True, env_ignore_empty=True, populate_by_name=True
    )

    environment: Environment = Environment.DEVELOPMENT
    store: StoreKind = StoreKind.SQLITE
    sqlite_path: Path = Path("./data/content-factory.db")
    queue: QueueKind = QueueKind.INLINE
    cache: CacheKind = CacheKind.MEMORY
    redis_url: str = "redis://127.0.0.1:6379/0"
    llm_provider: LlmProvider = LlmProvider.EXTRACTIVE
    llm_model: str | None = None

    # Google Cloud: names other programs read keep their own names.
    google_cloud_project: str | None = Field(default=None, validation_alias="GOOGLE_CLOUD_PROJECT")
    firestore_emulator_host: str | None = Field(default=None, validation_alias="FIRESTORE_EMULATOR_HOST")
    firestore_database: str = "(default)"
    cloud_tasks_queue: str | None = Field(default=None, pattern=r"^projects/[^/]+/locations/[^/]+/queues/[^/]+$")
    cloud_tasks_emulator_host: str | None = None
    worker_base_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    tasks_service_account: str | None = None
    worker_secret: SecretStr | None = None
    oidc_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    # Longest a step may run before Cloud Tasks gives up on the delivery (HTTP targets allow up to 1800 s).
    task_dispatch_deadline_seconds: int = Field(default=900, ge=15, le=1800)

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
    # How long a worker holds a step (and its single-flight cache lock) before another may take it over.
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
        if self.llm_provider is not LlmProvider.EXTRACTIVE:
            raise ValueError("CF_LLM_PROVIDER: only the offline 'extractive' engine is available in this release")
        if self.store is StoreKind.FIRESTORE and not self.google_cloud_project:
            raise ValueError("CF_STORE=firestore needs GOOGLE_CLOUD_PROJECT")
        if self.queue is QueueKind.CLOUDTASKS:
            missing = [
                name
                for name, value in (
                    ("CF_CLOUD_TASKS_QUEUE", self.cloud_tasks_queue),
                    ("CF_WORKER_BASE_URL", self.worker_base_url),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"CF_QUEUE=cloudtasks needs {' and '.join(missing)}")
            if self.environment is Environment.PRODUCTION and not self.tasks_service_account:
                raise ValueError("CF_QUEUE=cloudtasks in production needs CF_TASKS_SERVICE_ACCOUNT (OIDC)")
            if not self.tasks_service_account and not self.worker_secret:
                raise ValueError("CF_QUEUE=cloudtasks needs CF_TASKS_SERVICE_ACCOUNT or CF_WORKER_SECRET")
        if self.environment is Environment.PRODUCTION and self.worker_secret:
            raise ValueError("CF_WORKER_SECRET is for development only; production uses OIDC")
        return self

    @property
    def pepper(self) -> bytes:
        value = self.key_pepper.get_secret_value() if self.key_pepper else DEVELOPMENT_PEPPER
        return value.encode()
