"""The adapters the settings name, opened: the store, blob storage, the rate limiter, the speech engine, and the
publishers job events are told to. ``app.main``'s lifespan calls these and wires what they return.

Each Google Cloud, Redis or model client library is imported only when the settings choose it (see
``app.main``'s note on lazy imports).
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from app.adapters.inline_deliveries import InlineDeliveryQueue
from app.adapters.local_storage import LocalStorage
from app.adapters.sqlite_store import SqliteStore
from app.audio import AudioError, CloudSpeech, EspeakSpeech, Speech, check_encoder
from app.config import Environment, QueueKind, Settings, SpeechKind, StorageKind, StoreKind
from app.extractive import language
from app.jobs.publishing import EventPublisher, FanOut
from app.jobs.queue import TaskQueue
from app.jobs.store import JobStore
from app.jobs.telling import EventTeller, TellingStore
from app.limits.rate import RateLimiter, RateLimits, Window
from app.observability.metrics import Metrics
from app.sources.fetch import FetchPolicy
from app.sources.service import SourceLimits, SourcesService
from app.sources.storage import BlobStorage
from app.sources.store import SourceStore
from app.webhooks.delivery import Deliverer, DeliveryPolicy, WebhookDispatcher
from app.webhooks.queue import DeliveryQueue
from app.webhooks.service import Destinations, WebhooksService

if TYPE_CHECKING:
    from app.adapters.firestore_store import FirestoreStore

log = logging.getLogger(__name__)


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
