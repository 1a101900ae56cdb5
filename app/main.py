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

from app.adapters.from_settings import (
    open_rate_limiter,
    open_sources,
    open_speech,
    open_storage,
    open_store,
    open_telling,
    open_webhooks,
)
from app.adapters.inline_queue import InlineQueue
from app.adapters.memory_cache import MemoryCache
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
from app.auth.access import Access
from app.auth.admin import KeyAdmin
from app.auth.certs import SigningCerts
from app.auth.id_tokens import IdTokenVerifier
from app.auth.service import Authenticator, announce_generated_key, bootstrap_admin_key
from app.auth.worker import WorkerAuth
from app.config import CacheKind, Environment, QueueKind, Settings
from app.content.cache import ArtifactCache
from app.content.generator import Generator
from app.errors import install_error_handlers
from app.extractive import ExtractiveGenerator
from app.jobs.exports import JobExports, PodcastAudio
from app.jobs.queue import Step, StepResult, TaskQueue
from app.jobs.service import JobsService
from app.limits.quotas import Quotas
from app.llm.engine import LlmGenerator, provider_spec
from app.observability.jobs import JobsInFlight
from app.observability.logging import configure_logging
from app.observability.metrics import Metrics
from app.observability.middleware import RequestTelemetryMiddleware
from app.observability.private_metrics import keep_fresh, serve_privately
from app.observability.sentry import close_sentry, init_sentry, set_provider
from app.webhooks.delivery import WebhookDispatcher
from app.webhooks.recovery import DeliveryRecovery
from app.worker.pipeline import Pipeline, StepPolicy
from app.worker.sweeper import Sweeper, SweepPolicy

if TYPE_CHECKING:
    pass

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
            if settings.metrics_port is not None:
                stack.callback(serve_privately(metrics, settings.metrics_port))
                fresh = asyncio.create_task(keep_fresh(services.jobs_in_flight), name="jobs-in-flight")
                stack.push_async_callback(_cancelled, fresh)
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
    # Opened before the pipeline, so closed after it: its steps keep exports and audio there.
    blobs = open_storage(settings)
    stack.push_async_callback(blobs.close)
    speech = await open_speech(settings, stack)
    webhooks, deliverer, deliveries = await open_webhooks(settings, store, queue, stack)
    dispatcher = WebhookDispatcher(webhooks.store, deliveries, kept=timedelta(days=settings.job_ttl_days))
    jobs_store, teller = await open_telling(settings, store, dispatcher, stack)
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
        audio=None if speech is None else PodcastAudio(blobs, speech),
    )

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
    jobs = JobsService(
        store=jobs_store,
        queue=queue,
        generator=generator,
        job_ttl=timedelta(days=settings.job_ttl_days),
        admission=quotas,
        counter=metrics,
        sources=source_service,
        blobs=blobs,
        speaks=speech is not None,
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
            deliveries=DeliveryRecovery(webhooks.store, deliveries, stale_seconds=settings.sweep_stale_seconds),
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
