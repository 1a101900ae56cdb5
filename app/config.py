"""Settings: the one place configuration is read, validated once at start-up."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many as parse_rate_limits
from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Used only outside production when CF_KEY_PEPPER is unset; production refuses to start without a real one.
DEVELOPMENT_PEPPER = "content-factory-development-pepper"
# scheme://public_key[:secret]@host[:port][/path]/project_id, as Sentry issues them.
_SENTRY_DSN = re.compile(r"^https?://[^:@/\s]+(:[^@/\s]*)?@[^/\s@]+(/[^\s]*)?/\d+/?$")


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


# The form of the keys this service issues (``app.auth.keys.new_key``: "cf_" and 32 random bytes, url-safe).
API_KEY_FORM = re.compile(r"cf_[A-Za-z0-9_-]{43}")


class ConfigError(Exception):
    """Settings the app cannot start with (checked when it starts, beyond what ``Settings`` checks itself)."""


class StorageKind(StrEnum):
    LOCAL = "local"
    GCS = "gcs"


class SpeechKind(StrEnum):
    ESPEAK = "espeak"  # offline, Debian's espeak-ng; off with a warning where it is not installed
    CLOUD = "cloud"  # Cloud Text-to-Speech
    OFF = "off"


class CacheKind(StrEnum):
    MEMORY = "memory"
    REDIS = "redis"


class ModelPrice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    input: float = Field(ge=0, description="USD per million input tokens")
    output: float = Field(ge=0, description="USD per million output tokens")
    cached_input: float | None = Field(
        default=None, ge=0, description="USD per million input tokens served from the prompt cache; unset: input"
    )


# Generation limits in development (CF_ENVIRONMENT=development, the default): one person trying things.
_TOPIC = r"^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/[A-Za-z][A-Za-z0-9._~+%-]{2,254}$"  # a Pub/Sub topic's name
DEVELOPMENT_LIMITS = {"rate_limit_per_ip": "60/minute", "rate_limit_per_key": "1000/hour"}


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
    # "extractive" (the offline engine) or a provider of app.llm.providers; checked when the app starts.
    llm_provider: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True)] = "extractive"
    llm_model: str | None = None  # unset: the provider's default model
    llm_base_url: str | None = None  # another server speaking the provider's protocol
    llm_max_reasks: int = Field(default=2, ge=0, le=5)
    # The prompt templates (app/llm/prompts/<version>); part of every cache key, so switching regenerates.
    llm_prompt_version: Literal["v1", "v2"] = "v2"
    llm_max_input_tokens: int | None = Field(default=None, ge=2_000)  # unset: the model's budget
    llm_max_output_tokens: int = Field(default=8_192, ge=256, le=65_536)
    llm_timeout_seconds: float = Field(default=120.0, gt=0, le=900)
    llm_temperature: float = Field(default=0.4, ge=0, le=2)
    # Gemini: how long a job's shared opening (system and source) stays in an explicit context cache; 0 = none.
    llm_context_cache_seconds: int = Field(default=600, ge=0, le=86_400)
    llm_context_cache_min_tokens: int = Field(default=4_096, ge=1_024)  # smaller openings are sent each time
    # sized: each call gets a thinking budget sized for its artifact; model: the model's own (models that do not
    # think, such as gemini-2.0-flash, refuse a thinking budget).
    llm_thinking: Literal["sized", "model"] = "sized"
    # Transport retries (429, 5xx, timeouts), kept apart from re-asks for invalid output.
    llm_retry_attempts: int = Field(default=4, ge=1, le=10)
    llm_retry_base_seconds: float = Field(default=1.0, gt=0, le=60)
    llm_retry_max_seconds: float = Field(default=60.0, gt=0, le=600)
    llm_circuit_failures: int = Field(default=5, ge=1, le=100)
    llm_circuit_cooldown_seconds: float = Field(default=30.0, gt=0, le=3600)
    # USD per million tokens, by model: {"model": {"input": 0.3, "output": 2.5}}; merged over DEFAULT_PRICES.
    llm_prices: dict[str, ModelPrice] = Field(default_factory=dict)
    gemini_api_key: SecretStr | None = Field(default=None, validation_alias="GEMINI_API_KEY")
    google_genai_use_vertexai: bool = Field(default=False, validation_alias="GOOGLE_GENAI_USE_VERTEXAI")
    google_cloud_location: str = Field(default="us-central1", validation_alias="GOOGLE_CLOUD_LOCATION")
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")

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
    # How long a claim on a step (and its single-flight cache lock) lasts unless renewed; the worker renews it every
    # third of that while it works, so a worker that dies frees its step within one lease.
    step_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    # One attempt at a step may take this long; past it the attempt is cancelled and counts as a transient failure.
    step_timeout_seconds: float = Field(default=600.0, ge=1, le=3600)
    # A job still unfinished this long after its creation has its open steps failed (``job_deadline_exceeded``).
    job_max_seconds: float = Field(default=3600.0, ge=10, le=7 * 24 * 3600)
    # The sweeper enqueues again a step queued this long with nothing delivering it (its task lost, or its
    # queue's retries used up), and at once a step whose lease expired. Keep it above the queue's longest backoff.
    sweep_stale_seconds: float = Field(default=900.0, ge=1, le=24 * 3600)
    # How often the embedded queue sweeps (0: only at start-up). On Cloud Tasks, Cloud Scheduler calls
    # POST /internal/sweep instead (infra/cloudscheduler).
    sweep_interval_seconds: float = Field(default=60.0, ge=0, le=24 * 3600)
    # On SIGTERM, how long steps in flight get to finish before they are handed back. Cloud Run allows 10 s in
    # all; uvicorn needs the same with --timeout-graceful-shutdown (scripts/run.sh and the Dockerfile pass it).
    shutdown_grace_seconds: int = Field(default=7, ge=0, le=600)  # whole seconds, as uvicorn takes them
    cache_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=0)
    cache_max_entries: int = Field(default=2048, ge=1)
    job_ttl_days: int = Field(default=30, ge=1, le=3650)

    # Sources (app/sources): originals and extracted texts in blob storage, never in the document store.
    storage: StorageKind = StorageKind.LOCAL
    storage_dir: Path = Path("./data/storage")  # CF_STORAGE=local
    gcs_bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")  # CF_STORAGE=gcs
    source_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=512 * 1024 * 1024)  # an upload or a fetch
    source_max_pages: int = Field(default=500, ge=1, le=10_000)  # a PDF's pages
    # Extracted text of one source; no more than a job takes (200,000), so a source that is accepted can be used.
    source_max_characters: int = Field(default=200_000, ge=1_000, le=200_000)
    source_fetch_timeout_seconds: float = Field(default=15.0, gt=0, le=120)  # a whole URL fetch, redirects included
    # Job events (app/jobs/events.py): with a topic, every event is published there, at least once.
    pubsub_topic: str | None = Field(
        default=None, pattern=r"^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/[A-Za-z][A-Za-z0-9._~+%-]{2,254}$"
    )
    speech: SpeechKind = SpeechKind.ESPEAK  # the podcast as audio (the podcast_script artifact's mp3 export)
    export_url_seconds: int = Field(default=300, ge=10, le=3600)  # life of a signed export URL (CF_STORAGE=gcs)
    # A service account key (JSON) that signs export URLs; unset, the runtime's own account signs through IAM.
    gcs_signing_key_file: Path | None = None
    # The library reads it to talk to an emulator; signed URLs then point there too.
    storage_emulator_host: str | None = Field(default=None, validation_alias="STORAGE_EMULATOR_HOST")
    # URL sources may reach loopback and private addresses: for tests on 127.0.0.1 only, refused in production.
    source_allow_private_urls: bool = False

    # Webhooks (app/webhooks): each attempt of a delivery, how many before it fails, and the first retry's delay
    # (each next one waits three times longer, up to an hour).
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    webhook_backoff_seconds: float = Field(default=10.0, ge=0, le=3600)
    # Webhooks may call loopback and private addresses: for tests on 127.0.0.1 only, refused in production.
    webhook_allow_private_urls: bool = False

    # Job event streams (GET /v1/jobs/{id}/events): each open stream reads its job from the store once a poll.
    events_poll_seconds: float = Field(default=0.5, ge=0.05, le=30)
    events_heartbeat_seconds: float = Field(default=15.0, ge=1, le=300)  # a comment line, so proxies keep it open
    events_max_seconds: float = Field(default=900.0, ge=5, le=3600)  # then the client resumes with Last-Event-ID
    events_max_streams: int = Field(default=500, ge=1, le=100_000)  # open at once in one process; beyond: 503

    # Request limits
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    body_read_seconds: float = Field(default=30.0, gt=0, le=600)  # a body slower than this is refused with 408
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)  # all request headers together

    # Access control and abuse protection (app/auth, app/limits). Limits use the `limits` syntax ("10/minute").
    rate_limit_per_ip: str = "10/minute"  # generation endpoints (POST /v1/jobs, retry), per client IP
    rate_limit_per_key: str = "100/hour"  # generation endpoints, per API key or user (a key may carry its own)
    rate_limit_reads: str = "300/minute"  # every other /v1 endpoint, per API key or user
    # Wrong credentials per client IP, on every route: past it, the IP's credentials are not even looked at.
    rate_limit_failed_auth: str = "30/minute"
    rate_limit_storage: Literal["memory", "redis"] | None = None  # unset: redis (CF_REDIS_URL) when CF_CACHE=redis
    rate_limit_on_storage_error: Literal["allow", "deny"] = "allow"  # allow: count the failure and log it
    trusted_proxy_hops: int = Field(default=0, ge=0, le=10)  # proxies that append to X-Forwarded-For
    daily_token_budget: int | None = Field(default=None, ge=0)  # for keys without their own, and ID-token users
    identity_project: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{2,62}$")  # unset: no ID tokens
    identity_certs_url: str = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
    # The Firebase Auth emulator's unsigned tokens are accepted only while this is set (never in production).
    firebase_auth_emulator_host: str | None = Field(default=None, validation_alias="FIREBASE_AUTH_EMULATOR_HOST")

    # Observability (app/observability)
    log_format: Literal["json", "text"] | None = None  # unset: text in development, Cloud Logging JSON otherwise
    metrics_token: SecretStr | None = None  # bearer token /metrics requires; unset: open, but not in production
    # A loopback-only port serving /metrics without the token, for a collector in the same instance (the Cloud Run
    # Prometheus sidecar); unset: none.
    metrics_port: int | None = Field(default=None, ge=1024, le=65535)
    sentry_dsn: SecretStr | None = Field(default=None, validation_alias="SENTRY_DSN")
    sentry_environment: str | None = Field(default=None, max_length=64)  # unset: CF_ENVIRONMENT
    sentry_release: str | None = Field(default=None, max_length=200)  # unset: content-factory@<version>
    # Read by prometheus-client itself when first imported; here so the exposition knows to merge the files.
    prometheus_multiproc_dir: Path | None = Field(default=None, validation_alias="PROMETHEUS_MULTIPROC_DIR")

    @model_validator(mode="before")
    @classmethod
    def _one_person_in_development(cls, data: object) -> object:
        """In development, generation limits fit one person trying things, unless they are set."""
        if isinstance(data, dict) and str(data.get("environment", Environment.DEVELOPMENT)) == "development":
            data = {**DEVELOPMENT_LIMITS, **data}
        return data

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
        bootstrap = self.bootstrap_admin_key.get_secret_value() if self.bootstrap_admin_key else None
        if self.environment is Environment.PRODUCTION and bootstrap and not API_KEY_FORM.fullmatch(bootstrap):
            raise ValueError(
                "CF_BOOTSTRAP_ADMIN_KEY must be a key as this service issues them in production: 'cf_' and 43 "
                "url-safe characters (python -c 'import secrets; print(\"cf_\" + secrets.token_urlsafe(32))')"
            )
        if self.queue is QueueKind.CLOUDTASKS and self.step_timeout_seconds >= self.task_dispatch_deadline_seconds:
            raise ValueError(
                "CF_STEP_TIMEOUT_SECONDS must be below CF_TASK_DISPATCH_DEADLINE_SECONDS, or Cloud Tasks gives up on "
                "a step that is still running"
            )
        if self.job_max_seconds <= self.step_timeout_seconds:
            raise ValueError(
                "CF_JOB_MAX_SECONDS must be above CF_STEP_TIMEOUT_SECONDS, or a job's deadline ends a step that is "
                "within its own time"
            )
        if self.step_retry_max_seconds < self.step_retry_base_seconds:
            raise ValueError("CF_STEP_RETRY_MAX_SECONDS must not be below CF_STEP_RETRY_BASE_SECONDS")
        if self.storage is StorageKind.GCS and not self.gcs_bucket:
            raise ValueError("CF_STORAGE=gcs needs CF_GCS_BUCKET")
        if self.environment is Environment.PRODUCTION and self.source_allow_private_urls:
            raise ValueError(
                "CF_SOURCE_ALLOW_PRIVATE_URLS lets URL sources reach private addresses: not allowed in production"
            )
        if self.environment is Environment.PRODUCTION and self.webhook_allow_private_urls:
            raise ValueError(
                "CF_WEBHOOK_ALLOW_PRIVATE_URLS lets webhooks call private addresses: not allowed in production"
            )
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
        if self.tasks_service_account and not self.worker_base_url:
            raise ValueError(
                "CF_TASKS_SERVICE_ACCOUNT needs CF_WORKER_BASE_URL: the worker's OIDC tokens are checked for that "
                "audience"
            )
        if self.environment is Environment.PRODUCTION and self.worker_secret:
            raise ValueError("CF_WORKER_SECRET is for development only; production uses OIDC")
        if self.metrics_token is not None and len(self.metrics_token.get_secret_value()) < 16:
            raise ValueError("CF_METRICS_TOKEN must be at least 16 characters")
        if self.sentry_dsn is not None and not _SENTRY_DSN.match(self.sentry_dsn.get_secret_value()):
            raise ValueError("SENTRY_DSN must look like https://PUBLIC_KEY@HOST/PROJECT_ID")
        if self.prometheus_multiproc_dir is not None and not self.prometheus_multiproc_dir.is_dir():
            raise ValueError("PROMETHEUS_MULTIPROC_DIR must name an existing directory")
        return self

    @model_validator(mode="after")
    def _check_access(self) -> Settings:
        for name in ("rate_limit_per_ip", "rate_limit_per_key", "rate_limit_reads", "rate_limit_failed_auth"):
            value = getattr(self, name)
            try:
                parsed = parse_rate_limits(value)
            except ValueError:
                parsed = []
            if not parsed or any(item.amount < 1 for item in parsed):
                raise ValueError(f"CF_{name.upper()} must be a rate limit such as '10/minute', not {value!r}")
        if self.firebase_auth_emulator_host and self.environment is Environment.PRODUCTION:
            raise ValueError("FIREBASE_AUTH_EMULATOR_HOST makes unsigned ID tokens valid: not allowed in production")
        if self.firebase_auth_emulator_host and not self.identity_project:
            raise ValueError("FIREBASE_AUTH_EMULATOR_HOST needs CF_IDENTITY_PROJECT (the emulator's project)")
        return self

    @property
    def log_text(self) -> bool:
        if self.log_format is None:
            return self.environment is Environment.DEVELOPMENT
        return self.log_format == "text"

    @property
    def rate_limits_in_redis(self) -> bool:
        if self.rate_limit_storage is None:
            return self.cache is CacheKind.REDIS
        return self.rate_limit_storage == "redis"

    @property
    def pepper(self) -> bytes:
        value = self.key_pepper.get_secret_value() if self.key_pepper else DEVELOPMENT_PEPPER
        return value.encode()
