"""The ASGI application: ``uvicorn --factory app.main:create_app``.

Nothing happens at import time. The lifespan builds every adapter from ``Settings`` and hands them to routes
through the request state (see ``app.api.deps``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import anyio.to_thread
import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.adapters.inline_deliveries import InlineDeliveryQueue
from app.adapters.inline_queue import InlineQueue
from app.adapters.local_storage import LocalStorage
from app.adapters.memory_cache import MemoryCache
from app.adapters.sqlite_store import SqliteStore
from app.api import admin, content_types, events, health, internal, jobs, sources, web
from app.api import exports as exports_api
from app.api import metrics as metrics_api
from app.api import webhooks as webhooks_api
from app.api.deps import Services
from app.api.docs import install_docs, install_openapi, operation_id
from app.api.job_views import JobViews
from app.api.middleware import BodyLimitMiddleware
from app.api.security import EdgeSecurityMiddleware
from app.api.streams import Streams
from app.audio import AudioError, CloudSpeech, EspeakSpeech, Speech, check_encoder
from app.auth.access import Access
from app.auth.admin import KeyAdmin
from app.auth.certs import SigningCerts
from app.auth.id_tokens import IdTokenVerifier
from app.auth.service import Authenticator, announce_generated_key, bootstrap_admin_key
from app.auth.worker import WorkerAuth
from app.config import CacheKind, Environment, QueueKind, Settings, SpeechKind, StorageKind, StoreKind
from app.content.cache import ArtifactCache
from app.content.generator import Generator
from app.errors import install_error_handlers
from app.extractive import ExtractiveGenerator, language
from app.jobs.exports import JobExports
from app.jobs.publishing import EventPublisher, FanOut
from app.jobs.queue import Step, StepResult, TaskQueue
from app.jobs.service import JobsService
from app.jobs.store import JobStore
from app.jobs.telling import EventTeller, TellingStore
from app.limits.quotas import Quotas
from app.limits.rate import RateLimiter, RateLimits, Window
from app.llm.engine import LlmGenerator, provider_spec
from app.observability.jobs import JobsInFlight
from app.observability.logging import configure_logging
from app.observability.metrics import Metrics
from app.observability.middleware import RequestTelemetryMiddleware
from app.observability.sentry import close_sentry, init_sentry, set_provider
from app.sources.fetch import FetchPolicy
from app.sources.service import SourceLimits, SourcesService
from app.sources.storage import BlobStorage
from app.sources.store import SourceStore
from app.webhooks.delivery import Deliverer, DeliveryPolicy, WebhookDispatcher
from app.webhooks.queue import DeliveryQueue
from app.webhooks.service import Destinations, WebhooksService
from app.worker.pipeline import Pipeline, StepPolicy
from app.worker.sweeper import Sweeper, SweepPolicy

if TYPE_CHECKING:
    from app.adapters.firestore_store import FirestoreStore

log = logging.getLogger(__name__)

VERSION = "0.1.0"
UPLOAD_OVERHEAD_BYTES = 64 * 1024  # a multipart upload's headers and boundaries, beyond the file itself
EXTRACTIVE = "extractive"  # CF_LLM_PROVIDER for the offline engine; the model providers are in app.llm.providers

# _lazy_imports_note: the Google Cloud, Redis and LLM client libraries take seconds to import between them, so
# each adapter's module is imported only when the settings choose it. An instance on embedded defaults, or a
# Cloud Run cold start, then pays only for what it runs.


def create_app(settings: Settings | None = None, *, generator: Generator | None = None) -> FastAPI:
    """Build the app. ``generator`` replaces the configured engine (tests inject one, as httpx takes a transport)."""
    settings = settings or Settings()
    if generator is None and settings.llm_provider != EXTRACTIVE:
        provider_spec(settings)  # an unknown provider, or one without its credentials, stops the start here
    configure_logging(project=settings.google_cloud_project, text=settings.log_text)
    metrics = Metrics(multiprocess_dir=settings.prometheus_multiproc_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Services]]:
        async with AsyncExitStack() as stack:
            stack.callback(metrics.close)
            if settings.sentry_dsn is not None:
                init_sentry(
                    dsn=settings.sentry_dsn.get_secret_value(),
                    environment=settings.sentry_environment or settings.environment.value,
                    release=settings.sentry_release or f"content-factory@{VERSION}",
                )
                stack.callback(close_sentry)
            services = await build_services(settings, stack, generator, metrics=metrics)
            set_provider(services.pipeline.generator.provider)
            if isinstance(services.pipeline.generator, ExtractiveGenerator):
                warming = asyncio.create_task(_warm_up(), name="warm-up")
                stack.push_async_callback(_cancelled, warming)
            if isinstance(services.queue, InlineQueue):
                resumed = await services.sweeper.restart()
                if resumed:
                    log.info("resumed %d unfinished steps", resumed)
                if settings.sweep_interval_seconds > 0:
                    sweeping = asyncio.create_task(
                        services.sweeper.run_every(settings.sweep_interval_seconds), name="sweeper"
                    )
                    stack.push_async_callback(_cancelled, sweeping)  # stopped before the queue and the store
            yield {"services": services}

    production = settings.environment is Environment.PRODUCTION
    app = FastAPI(
        title="Content Factory",
        version=VERSION,
        description="Turns a topic or a source text into study materials, generated as asynchronous jobs.",
        lifespan=lifespan,
        docs_url=None,  # served offline by app.api.docs, outside production
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
        generate_unique_id_function=operation_id,
    )
    install_error_handlers(app)
    routers = [
        jobs.router,
        exports_api.router,
        events.router,
        sources.router,
        webhooks_api.router,
        health.router,
        content_types.router,
        admin.router,
    ]
    for router in (*routers, internal.router, metrics_api.router, web.router):
        app.include_router(router)
    install_openapi(app)
    if not production:
        install_docs(app)
    app.state.metrics = metrics
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=[
                "Location",
                "X-Request-ID",
                "Retry-After",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
            ],
        )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        read_seconds=settings.body_read_seconds,
        uploads={"/v1/sources": settings.source_max_bytes + UPLOAD_OVERHEAD_BYTES},
    )
    app.add_middleware(RequestTelemetryMiddleware, metrics=metrics)  # inside the edge: it logs the id
    # Outermost: the request id and security headers on every response, the other middlewares' refusals included.
    app.add_middleware(EdgeSecurityMiddleware, production=production, max_header_bytes=settings.max_header_bytes)
    return app


async def _warm_up() -> None:
    try:
        await anyio.to_thread.run_sync(ExtractiveGenerator.warm_up)
    except Exception:  # the first request then loads what is missing, and says what failed
        log.exception("warming up the offline engine failed")


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def open_store(settings: Settings) -> SqliteStore | FirestoreStore:
    """The job and key store the settings name (also used by ``python -m app keys``)."""
    if settings.store is StoreKind.FIRESTORE:
        from app.adapters.firestore_store import FirestoreStore

        assert settings.google_cloud_project is not None  # Settings checked it
        return FirestoreStore.open(settings.google_cloud_project, settings.firestore_database)
    return await SqliteStore.open(settings.sqlite_path)


async def open_webhooks(
    settings: Settings, store: SqliteStore | FirestoreStore, queue: TaskQueue, stack: AsyncExitStack
) -> tuple[WebhooksService, Deliverer, DeliveryQueue]:
    """The webhooks service, and the deliverer with its queue: Cloud Tasks beside the steps, or in process."""
    webhook_store = store.webhook_store()
    destinations = Destinations(
        require_https=settings.environment is Environment.PRODUCTION,
        allow_private=settings.webhook_allow_private_urls,
    )
    deliverer = Deliverer(
        webhook_store,
        destinations,
        DeliveryPolicy(
            timeout_seconds=settings.webhook_timeout_seconds,
            max_attempts=settings.webhook_max_attempts,
            backoff_seconds=settings.webhook_backoff_seconds,
        ),
    )
    stack.push_async_callback(deliverer.close)
    deliveries: DeliveryQueue
    if settings.queue is QueueKind.CLOUDTASKS:
        from app.adapters.cloud_tasks_queue import CloudTasksDeliveryQueue, CloudTasksQueue

        assert isinstance(queue, CloudTasksQueue)
        deliveries = CloudTasksDeliveryQueue(queue.tasks)
    else:
        deliveries = InlineDeliveryQueue(deliverer.attempt)
    stack.push_async_callback(deliveries.close)  # before the deliverer's client and the store
    deliverer.queue = deliveries
    return WebhooksService(webhook_store, destinations), deliverer, deliveries


async def open_telling(
    settings: Settings, store: JobStore, dispatcher: WebhookDispatcher, stack: AsyncExitStack
) -> tuple[JobStore, EventTeller]:
    """The job store the workers write through: one that tells each write's events (``app.jobs.telling``) to the
    owner's webhooks and, where ``CF_PUBSUB_TOPIC`` is set, to Pub/Sub. An owner without webhooks costs one query
    on ``owner`` per telling."""
    publisher: EventPublisher = dispatcher
    if settings.pubsub_topic is not None:
        from app.adapters.pubsub_events import PubSubPublisher

        pubsub = PubSubPublisher.open(settings.pubsub_topic)
        stack.push_async_callback(pubsub.close)
        publisher = FanOut(dispatcher, pubsub)
    teller = EventTeller(store, publisher)
    return TellingStore(store, teller), teller


async def open_speech(settings: Settings, stack: AsyncExitStack) -> Speech | None:
    """The text-to-speech engine that reads podcasts aloud, with ffmpeg to encode them; ``None`` when it is off, or
    when the offline engine's tools are not installed here (a warning says which)."""
    if settings.speech is SpeechKind.OFF:
        return None
    if settings.speech is SpeechKind.CLOUD:
        from google.cloud.texttospeech import TextToSpeechAsyncClient

        client = TextToSpeechAsyncClient()
        stack.push_async_callback(client.transport.close)
        await check_encoder()
        return await CloudSpeech.create(client)
    try:
        await check_encoder()
        return await EspeakSpeech.create()
    except AudioError as missing:
        log.warning("podcast audio is off: %s", missing.message)
        return None


def open_storage(settings: Settings) -> BlobStorage:
    """The blob storage the settings name: a local folder, or a Cloud Storage bucket."""
    if settings.storage is StorageKind.GCS:
        from app.adapters.gcs_storage import GcsStorage

        assert settings.gcs_bucket is not None  # Settings checked it
        signer = None
        if settings.gcs_signing_key_file is not None:
            from google.oauth2 import service_account

            signer = service_account.Credentials.from_service_account_file(str(settings.gcs_signing_key_file))
        return GcsStorage.open(
            settings.gcs_bucket,
            project=settings.google_cloud_project,
            signer=signer,
            download_endpoint=settings.storage_emulator_host,
        )
    return LocalStorage.open(settings.storage_dir)


def open_sources(settings: Settings, store: SourceStore, blobs: BlobStorage) -> SourcesService:
    limits = SourceLimits(
        max_bytes=settings.source_max_bytes,
        max_pages=settings.source_max_pages,
        max_characters=settings.source_max_characters,
        fetch=FetchPolicy(
            max_bytes=settings.source_max_bytes,
            timeout_seconds=settings.source_fetch_timeout_seconds,
            allow_private=settings.source_allow_private_urls,
        ),
    )
    return SourcesService(store=store, blobs=blobs, limits=limits, detect_language=language.detect)


def open_rate_limiter(settings: Settings, metrics: Metrics) -> RateLimiter:
    limits = RateLimits(
        settings.rate_limit_per_ip,
        settings.rate_limit_per_key,
        settings.rate_limit_reads,
        settings.rate_limit_failed_auth,
    )

    def refused(window: Window) -> None:
        metrics.rate_limited(scope=window)

    if settings.rate_limits_in_redis:
        return RateLimiter.in_redis(
            settings.redis_url, limits, on_storage_error=settings.rate_limit_on_storage_error, on_refused=refused
        )
    return RateLimiter.in_memory(limits, on_refused=refused)


async def build_services(
    settings: Settings, stack: AsyncExitStack, generator: Generator | None = None, *, metrics: Metrics | None = None
) -> Services:
    """The adapters the settings name, wired together; each is closed when ``stack`` unwinds."""
    metrics = metrics or Metrics()
    store = await open_store(settings)
    stack.push_async_callback(store.close)

    generated = await bootstrap_admin_key(
        store,
        settings.pepper,
        settings.bootstrap_admin_key.get_secret_value() if settings.bootstrap_admin_key else None,
    )
    if generated is not None:
        announce_generated_key(generated)

    cache: ArtifactCache
    if settings.cache is CacheKind.REDIS:
        from app.adapters.redis_cache import RedisCache

        cache = RedisCache.open(
            settings.redis_url, ttl_seconds=settings.cache_ttl_seconds, lock_seconds=settings.step_lease_seconds
        )
    else:
        cache = MemoryCache(ttl_seconds=settings.cache_ttl_seconds, max_entries=settings.cache_max_entries)
    stack.push_async_callback(cache.close)

    if generator is None and settings.llm_provider == EXTRACTIVE:
        generator = ExtractiveGenerator()
    elif generator is None:
        llm = LlmGenerator.from_settings(settings, cache, metrics)
        stack.push_async_callback(llm.close)
        generator = llm
    metrics.prepare(provider=generator.provider, model=generator.model, queue=settings.queue.value)
    quotas = Quotas(store)
    worker_secret = settings.worker_secret.get_secret_value() if settings.worker_secret else None

    queue: TaskQueue
    if settings.queue is QueueKind.CLOUDTASKS:
        from app.adapters.cloud_tasks_queue import CloudTasksQueue

        assert settings.cloud_tasks_queue is not None and settings.worker_base_url is not None
        queue = CloudTasksQueue.open(
            queue=settings.cloud_tasks_queue,
            worker_base_url=settings.worker_base_url,
            service_account=settings.tasks_service_account,
            worker_secret=worker_secret,
            dispatch_deadline_seconds=settings.task_dispatch_deadline_seconds,
            emulator_host=settings.cloud_tasks_emulator_host,
            metrics=metrics,
        )
    else:

        async def handle(step: Step) -> StepResult:
            return await pipeline.run_step(step)  # the pipeline below, which enqueues onto this queue

        queue = InlineQueue(
            handle,
            concurrency=settings.step_concurrency,
            retry_base_seconds=settings.step_retry_base_seconds,
            retry_max_seconds=settings.step_retry_max_seconds,
            grace_seconds=settings.shutdown_grace_seconds,
        )
    webhooks, deliverer, deliveries = await open_webhooks(settings, store, queue, stack)
    jobs_store, teller = await open_telling(settings, store, WebhookDispatcher(webhooks.store, deliveries), stack)
    # Unwound in reverse: the queue closes first (no new step; the embedded one gives its running steps the
    # grace), then steps still in flight — worker requests the server has cancelled — finish handing back.
    stack.push_async_callback(lambda: pipeline.stop(settings.shutdown_grace_seconds))
    stack.push_async_callback(queue.close)  # closed first: no step runs on a closed store
    pipeline = Pipeline(
        store=jobs_store,
        queue=queue,
        cache=cache,
        generator=generator,
        policy=StepPolicy(
            max_attempts=settings.step_max_attempts,
            lease_seconds=settings.step_lease_seconds,
            timeout_seconds=settings.step_timeout_seconds,
        ),
        quotas=quotas,  # each generation's tokens count against the job's key
        metrics=metrics,
    )

    blobs = open_storage(settings)
    stack.push_async_callback(blobs.close)
    source_service = open_sources(settings, store, blobs)

    http = await stack.enter_async_context(httpx.AsyncClient())
    limiter = open_rate_limiter(settings, metrics)
    stack.push_async_callback(limiter.close)
    id_tokens = None
    if settings.identity_project:
        id_tokens = IdTokenVerifier(
            project=settings.identity_project,
            certs=SigningCerts(settings.identity_certs_url, http),
            accept_emulator_tokens=settings.firebase_auth_emulator_host is not None,
            daily_token_budget=settings.daily_token_budget,
        )
    authenticator = Authenticator(
        store,
        settings.pepper,
        settings.key_cache_seconds,
        id_tokens=id_tokens,
        daily_token_budget=settings.daily_token_budget,
    )
    speech = await open_speech(settings, stack)
    jobs = JobsService(
        store=jobs_store,
        queue=queue,
        generator=generator,
        job_ttl=timedelta(days=settings.job_ttl_days),
        admission=quotas,
        counter=metrics,
        sources=source_service,
        blobs=blobs,
    )
    return Services(
        settings=settings,
        store=store,
        cache=cache,
        queue=queue,
        pipeline=pipeline,
        sweeper=Sweeper(
            jobs_store,
            queue,
            SweepPolicy(
                stale_seconds=settings.sweep_stale_seconds,
                job_max_seconds=settings.job_max_seconds,
                leases=settings.queue is QueueKind.CLOUDTASKS,  # one process: its own steps' workers are alive
            ),
            metrics,
            teller=teller,
        ),
        jobs=jobs,
        exports=JobExports(jobs, blobs, url_seconds=settings.export_url_seconds, speech=speech),
        authenticator=authenticator,
        access=Access(authenticator, limiter, settings.trusted_proxy_hops, on_failure=metrics.auth_failed),
        key_admin=KeyAdmin(store, settings.pepper, forget=authenticator.forget),
        worker_auth=WorkerAuth(
            audience=settings.worker_base_url.rstrip("/") if settings.worker_base_url else None,
            service_account=settings.tasks_service_account,
            secret=worker_secret,
            certs_url=settings.oidc_certs_url,
            http=http,
        ),
        metrics=metrics,
        jobs_in_flight=JobsInFlight(store, metrics),
        job_views=JobViews(),
        sources=source_service,
        streams=Streams(settings.events_max_streams),
        webhooks=webhooks,
        deliverer=deliverer,
    )
