"""The ASGI application: ``uvicorn --factory app.main:create_app``.

Nothing happens at import time. The lifespan builds every adapter from ``Settings`` and hands them to routes
through the request state (see ``app.api.deps``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.adapters.cloud_tasks_queue import CloudTasksQueue
from app.adapters.firestore_store import FirestoreStore
from app.adapters.inline_queue import InlineQueue
from app.adapters.memory_cache import MemoryCache
from app.adapters.redis_cache import RedisCache
from app.adapters.sqlite_store import SqliteStore
from app.api import content_types, health, internal, jobs
from app.api.deps import Services
from app.api.middleware import BodyLimitMiddleware, RequestIdMiddleware
from app.auth.service import Authenticator, announce_generated_key, bootstrap_admin_key
from app.auth.worker import WorkerAuth
from app.config import CacheKind, Environment, QueueKind, Settings, StoreKind
from app.content.cache import ArtifactCache
from app.content.extractive import ExtractiveGenerator
from app.content.pipeline import Pipeline, StepPolicy
from app.errors import install_error_handlers
from app.jobs.queue import Step, StepResult, TaskQueue
from app.jobs.service import JobsService
from app.llm.generator import Generator

log = logging.getLogger(__name__)

VERSION = "0.1.0"


def create_app(settings: Settings | None = None, *, generator: Generator | None = None) -> FastAPI:
    """Build the app. ``generator`` replaces the configured engine (tests inject one, as httpx takes a transport)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Services]]:
        async with AsyncExitStack() as stack:
            services = await build_services(settings, stack, generator)
            if isinstance(services.queue, InlineQueue):
                resumed = await services.pipeline.resume(services.queue)
                if resumed:
                    log.info("resumed %d unfinished steps", resumed)
            yield {"services": services}

    production = settings.environment is Environment.PRODUCTION
    app = FastAPI(
        title="Content Factory",
        version=VERSION,
        description="Turns a topic or a source text into study materials, generated as asynchronous jobs.",
        lifespan=lifespan,
        docs_url=None if production else "/docs",
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(content_types.router)
    app.include_router(jobs.router)
    app.include_router(internal.router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["Location", "X-Request-ID"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    return app


async def build_services(settings: Settings, stack: AsyncExitStack, generator: Generator | None = None) -> Services:
    """The adapters the settings name, wired together; each is closed when ``stack`` unwinds."""
    store: SqliteStore | FirestoreStore
    if settings.store is StoreKind.FIRESTORE:
        assert settings.google_cloud_project is not None  # Settings checked it
        store = FirestoreStore.open(settings.google_cloud_project, settings.firestore_database)
    else:
        store = await SqliteStore.open(settings.sqlite_path)
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
        cache = RedisCache.open(
            settings.redis_url, ttl_seconds=settings.cache_ttl_seconds, lock_seconds=settings.step_lease_seconds
        )
    else:
        cache = MemoryCache(ttl_seconds=settings.cache_ttl_seconds, max_entries=settings.cache_max_entries)
    stack.push_async_callback(cache.close)

    generator = generator or ExtractiveGenerator()
    pipeline = Pipeline(
        store=store,
        cache=cache,
        generator=generator,
        policy=StepPolicy(max_attempts=settings.step_max_attempts, lease_seconds=settings.step_lease_seconds),
    )
    worker_secret = settings.worker_secret.get_secret_value() if settings.worker_secret else None

    queue: TaskQueue
    if settings.queue is QueueKind.CLOUDTASKS:
        assert settings.cloud_tasks_queue is not None and settings.worker_base_url is not None
        queue = CloudTasksQueue.open(
            queue=settings.cloud_tasks_queue,
            worker_base_url=settings.worker_base_url,
            service_account=settings.tasks_service_account,
            worker_secret=worker_secret,
            dispatch_deadline_seconds=settings.task_dispatch_deadline_seconds,
            emulator_host=settings.cloud_tasks_emulator_host,
        )
    else:

        async def handle(step: Step) -> StepResult:
            return await pipeline.run_step(step, queue)

        queue = InlineQueue(
            handle,
            concurrency=settings.step_concurrency,
            retry_base_seconds=settings.step_retry_base_seconds,
            retry_max_seconds=settings.step_retry_max_seconds,
        )
    stack.push_async_callback(queue.close)  # closed first: no step runs on a closed store

    http = await stack.enter_async_context(httpx.AsyncClient())
    return Services(
        settings=settings,
        store=store,
        cache=cache,
        queue=queue,
        pipeline=pipeline,
        jobs=JobsService(store=store, queue=queue, generator=generator, job_ttl=timedelta(days=settings.job_ttl_days)),
        authenticator=Authenticator(store, settings.pepper, settings.key_cache_seconds),
        worker_auth=WorkerAuth(
            audience=settings.worker_base_url.rstrip("/") if settings.worker_base_url else None,
            service_account=settings.tasks_service_account,
            secret=worker_secret,
            certs_url=settings.oidc_certs_url,
            http=http,
        ),
    )
