"""Firestore job, key and source store (``google-cloud-firestore`` ``AsyncClient``): the production adapter.

Layout:
    jobs/{job_id}                      owner, status, idempotency_key, created_at, expires_at (TTL field),
                                       request (written once), state (everything else about the job)
    jobs/{job_id}/artifacts/{type}     an artifact's content and provenance
    idempotency/{sha256(owner, key)}   job_id: makes (owner, Idempotency-Key) unique
    sources/{source_id}                owner, sha256, created_at, data (the metadata; text and original are blobs)
    source_hashes/{sha256(owner, sha)} source_id: makes (owner, sha256) unique
    api_keys/{key_id}                  a hashed API key
    key_usage/{day}_{sha(subject)}_{n} one of USAGE_SHARDS counters of a key's (or user's) tokens on a UTC day;
                                       a random shard per write keeps each document far below ~1 write/s,
                                       a read sums them in one batch get; expires_at (TTL field) clears old days

Every change to a job runs in a transaction that rewrites only ``status`` and ``state`` (never the source text in
``request``). A job takes about three writes per artifact spread over its run, well inside Firestore's
sustained rate for one document; nothing global is counted on a single document. Composite indexes for the
queries below are in ``infra/firestore/firestore.indexes.json``; ``expires_at`` is the field for a TTL policy.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import weakref
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from app.adapters.firestore_webhooks import FirestoreWebhookStore
from app.auth.models import ApiKey
from app.content.catalogue import ArtifactType
from app.jobs.lifecycle import Changed
from app.jobs.models import FINISHED_JOBS, Job, JobRequest, JobStatus, StoredArtifact
from app.jobs.store import PageCursor
from app.sources.models import Source
from app.sources.store import SourceCursor

T = TypeVar("T")

JOBS, ARTIFACTS, IDEMPOTENCY, KEYS = "jobs", "artifacts", "idempotency", "api_keys"
SOURCES, SOURCE_HASHES = "sources", "source_hashes"
USAGE, USAGE_SHARDS, USAGE_KEPT_DAYS = "key_usage", 8, 3
_UNFINISHED = [s.value for s in JobStatus if s not in FINISHED_JOBS]
# Steps of one job update its document concurrently. The client retries an aborted transaction at once, keeping
# its place in line; past that, whole transactions are retried with jittered backoff so contenders spread out.
_TRANSACTION_ATTEMPTS = 5


def _contended(exc: BaseException) -> bool:
    return isinstance(exc, gexc.Aborted) or (isinstance(exc, ValueError) and isinstance(exc.__cause__, gexc.Aborted))


# A template: each loop iterates its own copy, since a retrying object keeps the state of the loop running it
# (two concurrent loops on one object would see each other's attempts and outcomes).
_CONTENDED = AsyncRetrying(
    retry=retry_if_exception(_contended),
    wait=wait_random_exponential(multiplier=0.02, max=1.0),
    stop=stop_after_attempt(12),
    reraise=True,
)


class FirestoreStore:
    def __init__(self, client: firestore.AsyncClient) -> None:
        self._client = client
        self._jobs = client.collection(JOBS)
        self._job_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @classmethod
    def open(cls, project: str, database: str = "(default)") -> FirestoreStore:
        # With FIRESTORE_EMULATOR_HOST set, the client talks to the emulator without credentials.
        return cls(firestore.AsyncClient(project=project, database=database))

    async def close(self) -> None:
        self._client.close()

    def webhook_store(self) -> FirestoreWebhookStore:
        """Webhooks and deliveries (``firestore_webhooks.py``), on this client."""
        return FirestoreWebhookStore(self._client)

    async def ping(self) -> None:
        await self._client.collection(KEYS).document("_ping").get()

    # --- jobs ------------------------------------------------------------------------------------------------

    async def create_job(self, job: Job) -> Job:
        job_ref = self._jobs.document(job.id)
        marker = None if job.idempotency_key is None else self._idempotency_ref(job.owner, job.idempotency_key)

        @firestore.async_transactional
        async def create(transaction: firestore.AsyncTransaction) -> str:
            if marker is not None:
                existing = await marker.get(transaction=transaction)
                if existing.exists:
                    return str(existing.get("job_id"))
                transaction.create(marker, {"job_id": job.id, "created_at": job.created_at})
            transaction.create(job_ref, _job_document(job))
            return job.id

        winner = ""
        try:
            async for attempt in _CONTENDED.copy():
                with attempt:
                    winner = await create(self._client.transaction(max_attempts=_TRANSACTION_ATTEMPTS))
        except gexc.AlreadyExists:
            # A commit that reached Firestore but whose answer was lost is retried by the client and then
            # finds its own writes. Job ids are random, so an existing document with this id is ours.
            if await self.get_job(job.id) is None:
                raise
            winner = job.id
        if winner == job.id:
            return job
        found = await self.get_job(winner)
        if found is None:  # the earlier job was deleted; its key may be used again
            if marker is not None:
                await marker.delete()
            return await self.create_job(job)
        return found

    async def get_job(self, job_id: str) -> Job | None:
        snapshot = await self._jobs.document(job_id).get()
        return _job(snapshot.to_dict()) if snapshot.exists else None

    async def find_by_idempotency_key(self, owner: str, key: str) -> Job | None:
        marker = await self._idempotency_ref(owner, key).get()
        if not marker.exists:
            return None
        return await self.get_job(str(marker.get("job_id")))

    async def list_jobs(
        self, owner: str, *, status: JobStatus | None, limit: int, after: PageCursor | None
    ) -> list[Job]:
        query = self._jobs.where(filter=FieldFilter("owner", "==", owner))
        if status is not None:
            query = query.where(filter=FieldFilter("status", "==", status.value))
        query = query.order_by("created_at", direction=firestore.Query.DESCENDING).order_by(
            "__name__", direction=firestore.Query.DESCENDING
        )
        if after is not None:
            query = query.start_after({"created_at": after.created_at, "__name__": after.job_id})
        return [_job(snapshot.to_dict()) async for snapshot in query.limit(limit).stream()]

    async def update_job(self, job_id: str, change: Callable[[Job], T]) -> tuple[Job, T] | None:
        return await self._update(job_id, change)

    async def commit_artifact(
        self, artifact: StoredArtifact, change: Callable[[Job], Changed]
    ) -> tuple[Job, Changed] | None:
        return await self._update(artifact.job_id, change, artifact)

    async def _update(
        self, job_id: str, change: Callable[[Job], T], artifact: StoredArtifact | None = None
    ) -> tuple[Job, T] | None:
        job_ref = self._jobs.document(job_id)

        @firestore.async_transactional
        async def update(transaction: firestore.AsyncTransaction) -> tuple[Job, T] | None:
            snapshot = await job_ref.get(transaction=transaction)
            if not snapshot.exists:
                return None
            job = _job(snapshot.to_dict())
            result = change(job)
            transaction.update(job_ref, {"status": job.status.value, "state": _state(job), "untold": job.untold})
            if artifact is not None and isinstance(result, Changed) and result.applied:
                transaction.set(self._artifact_ref(artifact), artifact.model_dump(mode="json"))
            return job, result

        # Transactions of one process on one job take turns: two that both read the document would otherwise
        # deadlock on commit until Firestore aborts one of them.
        lock = self._job_locks.setdefault(job_id, asyncio.Lock())
        async with lock:
            async for attempt in _CONTENDED.copy():
                with attempt:
                    return await update(self._client.transaction(max_attempts=_TRANSACTION_ATTEMPTS))
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def delete_job(self, job_id: str) -> bool:
        job_ref = self._jobs.document(job_id)
        snapshot = await job_ref.get()
        batch = self._client.batch()
        async for artifact in job_ref.collection(ARTIFACTS).list_documents():
            batch.delete(artifact)
        if snapshot.exists:
            data = snapshot.to_dict() or {}
            if data.get("idempotency_key"):
                batch.delete(self._idempotency_ref(str(data["owner"]), str(data["idempotency_key"])))
            batch.delete(job_ref)
        await batch.commit()
        return bool(snapshot.exists)

    async def unfinished_jobs(self, limit: int) -> list[Job]:
        query = self._jobs.where(filter=FieldFilter("status", "in", _UNFINISHED)).order_by("created_at").limit(limit)
        return [_job(snapshot.to_dict()) async for snapshot in query.stream()]

    async def untold_jobs(self, limit: int) -> list[Job]:
        query = self._jobs.where(filter=FieldFilter("untold", "==", True)).limit(limit)  # a single-field index
        return [_job(snapshot.to_dict()) async for snapshot in query.stream()]

    # --- artifacts -------------------------------------------------------------------------------------------

    async def put_artifact(self, artifact: StoredArtifact) -> None:
        await self._artifact_ref(artifact).set(artifact.model_dump(mode="json"))

    def _artifact_ref(self, artifact: StoredArtifact) -> Any:
        return self._jobs.document(artifact.job_id).collection(ARTIFACTS).document(artifact.type.value)

    async def get_artifact(self, job_id: str, artifact: ArtifactType) -> StoredArtifact | None:
        snapshot = await self._jobs.document(job_id).collection(ARTIFACTS).document(artifact.value).get()
        return StoredArtifact.model_validate(snapshot.to_dict()) if snapshot.exists else None

    # --- sources ---------------------------------------------------------------------------------------------

    async def create_source(self, source: Source) -> Source:
        ref = self._client.collection(SOURCES).document(source.id)
        marker = self._source_hash_ref(source.owner, source.sha256)

        @firestore.async_transactional
        async def create(transaction: firestore.AsyncTransaction) -> str:
            existing = await marker.get(transaction=transaction)
            if existing.exists:
                return str(existing.get("source_id"))
            transaction.create(marker, {"source_id": source.id})
            transaction.create(
                ref,
                {
                    "owner": source.owner,
                    "sha256": source.sha256,
                    "created_at": source.created_at,
                    "data": source.model_dump(mode="json"),
                },
            )
            return source.id

        winner = ""
        async for attempt in _CONTENDED.copy():
            with attempt:
                winner = await create(self._client.transaction(max_attempts=_TRANSACTION_ATTEMPTS))
        if winner == source.id:
            return source
        found = await self.get_source(winner)
        if found is None:  # the earlier source was deleted: its marker goes, and this one takes its place
            await marker.delete()
            return await self.create_source(source)
        return found

    async def get_source(self, source_id: str) -> Source | None:
        snapshot = await self._client.collection(SOURCES).document(source_id).get()
        return Source.model_validate(snapshot.get("data")) if snapshot.exists else None

    async def find_source(self, owner: str, sha256: str) -> Source | None:
        marker = await self._source_hash_ref(owner, sha256).get()
        return await self.get_source(str(marker.get("source_id"))) if marker.exists else None

    async def list_sources(self, owner: str, *, limit: int, after: SourceCursor | None) -> list[Source]:
        query = (
            self._client.collection(SOURCES)
            .where(filter=FieldFilter("owner", "==", owner))
            .order_by("created_at", direction=firestore.Query.DESCENDING)
            .order_by("__name__", direction=firestore.Query.DESCENDING)
        )
        if after is not None:
            query = query.start_after({"created_at": after.created_at, "__name__": after.source_id})
        return [Source.model_validate(s.get("data")) async for s in query.limit(limit).stream()]

    async def delete_source(self, source_id: str) -> bool:
        ref = self._client.collection(SOURCES).document(source_id)
        snapshot = await ref.get()
        if not snapshot.exists:
            return False
        batch = self._client.batch()
        batch.delete(self._source_hash_ref(str(snapshot.get("owner")), str(snapshot.get("sha256"))))
        batch.delete(ref)
        await batch.commit()
        return True

    def _source_hash_ref(self, owner: str, sha256: str) -> Any:
        digest = hashlib.sha256(f"{owner}\x00{sha256}".encode()).hexdigest()
        return self._client.collection(SOURCE_HASHES).document(digest)

    # --- API keys --------------------------------------------------------------------------------------------

    async def get_key(self, key_id: str) -> ApiKey | None:
        snapshot = await self._client.collection(KEYS).document(key_id).get()
        return ApiKey.model_validate(snapshot.to_dict()) if snapshot.exists else None

    async def put_key(self, key: ApiKey) -> None:
        await self._client.collection(KEYS).document(key.id).set(key.model_dump(mode="json"))

    async def count_keys(self) -> int:
        result = await self._client.collection(KEYS).count().get()
        return int(result[0][0].value)

    async def list_keys(self, *, limit: int, after: str | None) -> list[ApiKey]:
        query = self._client.collection(KEYS).order_by("__name__")
        if after is not None:
            query = query.start_after({"__name__": after})
        return [ApiKey.model_validate(s.to_dict()) async for s in query.limit(limit).stream()]

    async def revoke_key(self, key_id: str, at: datetime, *, replaced_by: str | None = None) -> ApiKey | None:
        ref = self._client.collection(KEYS).document(key_id)

        @firestore.async_transactional
        async def revoke(transaction: firestore.AsyncTransaction) -> ApiKey | None:
            snapshot = await ref.get(transaction=transaction)
            if not snapshot.exists:
                return None
            key = ApiKey.model_validate(snapshot.to_dict())
            if key.revoked_at is None or key.revoked_at > at:
                key.revoked_at = at
            key.replaced_by = replaced_by or key.replaced_by
            transaction.set(ref, key.model_dump(mode="json"))
            return key

        result: ApiKey | None = await revoke(self._client.transaction())
        return result

    async def add_usage(self, subject: str, day: date, tokens: int) -> None:
        shard = self._usage_refs(subject, day)[secrets.randbelow(USAGE_SHARDS)]
        expires = datetime.combine(day + timedelta(days=USAGE_KEPT_DAYS), time(), UTC)
        await shard.set({"tokens": firestore.Increment(tokens), "expires_at": expires}, merge=True)

    async def usage(self, subject: str, day: date) -> int:
        total = 0
        async for snapshot in self._client.get_all(self._usage_refs(subject, day)):
            if snapshot.exists:
                total += int(snapshot.get("tokens") or 0)
        return total

    def _usage_refs(self, subject: str, day: date) -> list[Any]:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        usage = self._client.collection(USAGE)
        return [usage.document(f"{day.isoformat()}_{digest}_{n}") for n in range(USAGE_SHARDS)]

    def _idempotency_ref(self, owner: str, key: str) -> Any:
        digest = hashlib.sha256(f"{owner}\x00{key}".encode()).hexdigest()
        return self._client.collection(IDEMPOTENCY).document(digest)


def _job_document(job: Job) -> dict[str, Any]:
    return {
        "owner": job.owner,
        "status": job.status.value,
        "idempotency_key": job.idempotency_key,
        "created_at": job.created_at,
        "expires_at": job.expires_at,
        "request": job.request.model_dump(mode="json"),
        "state": _state(job),
        "untold": job.untold,  # top level: ``state`` is not indexed
    }


def _state(job: Job) -> dict[str, Any]:
    return job.model_dump(mode="json", exclude={"request"})


def _job(data: dict[str, Any] | None) -> Job:
    if data is None:
        raise LookupError("job document vanished")
    return Job.model_validate({**data["state"], "request": JobRequest.model_validate(data["request"])})
