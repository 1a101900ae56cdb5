"""SQLite job, key and source store: the embedded default, one file that survives restarts. Webhooks live in it too
(``webhook_store``, ``sqlite_webhooks.py``).

One connection serves the process; writes are serialised by a lock and run in ``BEGIN IMMEDIATE``
transactions. The store is meant for one process (run several instances against Firestore instead), which
lets it keep recently written and read jobs in memory, write-through: a job poll then costs no database round
trip.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from app.adapters.sqlite_webhooks import SCHEMA as WEBHOOK_SCHEMA
from app.adapters.sqlite_webhooks import SqliteWebhookStore
from app.adapters.sqlite_webhooks import migrate as migrate_webhooks
from app.auth.models import ApiKey
from app.content.catalogue import ArtifactType
from app.jobs.lifecycle import Changed
from app.jobs.models import FINISHED_JOBS, Job, JobStatus, StoredArtifact
from app.jobs.store import PageCursor
from app.sources.models import Source
from app.sources.store import SourceCursor

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    idempotency_key TEXT,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_owner_idempotency ON jobs (owner, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_owner_created ON jobs (owner, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS jobs_status_created ON jobs (status, created_at);
CREATE INDEX IF NOT EXISTS jobs_untold ON jobs (json_extract(data, '$.untold')) WHERE json_extract(data, '$.untold');
CREATE TABLE IF NOT EXISTS artifacts (
    job_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job_id, type)
);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sources_owner_sha256 ON sources (owner, sha256);
CREATE INDEX IF NOT EXISTS sources_owner_created ON sources (owner, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS key_usage (
    subject TEXT NOT NULL,
    day TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    PRIMARY KEY (subject, day)
);
"""

_UNFINISHED = tuple(s.value for s in JobStatus if s not in FINISHED_JOBS)
_PUT_ARTIFACT = (
    "INSERT INTO artifacts (job_id, type, data) VALUES (?, ?, ?) "
    "ON CONFLICT (job_id, type) DO UPDATE SET data = excluded.data"
)


def _artifact_row(artifact: StoredArtifact) -> tuple[str, str, str]:
    return (artifact.job_id, artifact.type.value, artifact.model_dump_json())


class SqliteStore:
    def __init__(self, db: aiosqlite.Connection, *, cached_jobs: int = 4096) -> None:
        self._db = db
        self._write_lock = asyncio.Lock()
        self._recent: OrderedDict[str, Job] = OrderedDict()  # job id -> the job as last committed
        self._recent_max = cached_jobs

    @classmethod
    async def open(cls, path: Path) -> SqliteStore:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(path, isolation_level=None)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA busy_timeout=5000")
        await db.executescript(_SCHEMA + WEBHOOK_SCHEMA)
        await migrate_webhooks(db)
        return cls(db)

    async def close(self) -> None:
        await self._db.close()

    def webhook_store(self) -> SqliteWebhookStore:
        """Webhooks and deliveries, in this file and on this connection."""
        return SqliteWebhookStore(self._db, self._write_lock)

    async def ping(self) -> None:
        await self._fetch_one("SELECT 1")

    # --- jobs ------------------------------------------------------------------------------------------------

    async def create_job(self, job: Job) -> Job:
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                if job.idempotency_key is not None:
                    existing = await self._fetch_job(
                        "SELECT data FROM jobs WHERE owner = ? AND idempotency_key = ?",
                        (job.owner, job.idempotency_key),
                    )
                    if existing is not None:
                        await self._db.execute("COMMIT")
                        return existing
                data = job.model_dump_json()
                await self._db.execute(
                    "INSERT INTO jobs (id, owner, status, idempotency_key, created_at, data) VALUES (?, ?, ?, ?, ?, ?)",
                    (job.id, job.owner, job.status.value, job.idempotency_key, _stamp(job.created_at), data),
                )
                await self._db.execute("COMMIT")
                self._remember(job)
            except BaseException:
                await self._rollback()
                raise
        return job

    async def get_job(self, job_id: str) -> Job | None:
        job = self._recent.get(job_id)
        if job is None:
            async with self._write_lock:  # so a write cannot land between this read and remembering it
                job = await self._fetch_job("SELECT data FROM jobs WHERE id = ?", (job_id,))
                if job is not None:
                    self._remember(job)
        return job

    async def find_by_idempotency_key(self, owner: str, key: str) -> Job | None:
        return await self._fetch_job("SELECT data FROM jobs WHERE owner = ? AND idempotency_key = ?", (owner, key))

    async def list_jobs(
        self, owner: str, *, status: JobStatus | None, limit: int, after: PageCursor | None
    ) -> list[Job]:
        clauses, params = ["owner = ?"], [owner]
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        if after is not None:
            stamp = _stamp(after.created_at)
            clauses.append("(created_at < ? OR (created_at = ? AND id < ?))")
            params += [stamp, stamp, after.job_id]
        # The clauses are fixed strings; every value is a bound parameter.
        sql = f"SELECT data FROM jobs WHERE {' AND '.join(clauses)} ORDER BY created_at DESC, id DESC LIMIT ?"  # noqa: S608  # nosec B608
        rows = await self._fetch_all(sql, (*params, limit))
        return [Job.model_validate_json(row[0]) for row in rows]

    async def untold_jobs(self, limit: int) -> list[Job]:
        rows = await self._fetch_all(
            "SELECT data FROM jobs WHERE json_extract(data, '$.untold') LIMIT ?",
            (limit,),  # the partial index
        )
        return [Job.model_validate_json(row[0]) for row in rows]

    async def _rollback(self) -> None:
        """Undo the open transaction, if one is still open: a cancellation may land after the COMMIT, and the
        error that interrupted the transaction is the one to raise."""
        if self._db.in_transaction:
            with contextlib.suppress(Exception):
                await self._db.execute("ROLLBACK")

    async def update_job(self, job_id: str, change: Callable[[Job], T]) -> tuple[Job, T] | None:
        return await self._update(job_id, change)

    async def commit_artifact(
        self, artifact: StoredArtifact, change: Callable[[Job], Changed]
    ) -> tuple[Job, Changed] | None:
        return await self._update(artifact.job_id, change, artifact)

    async def _update(
        self, job_id: str, change: Callable[[Job], T], artifact: StoredArtifact | None = None
    ) -> tuple[Job, T] | None:
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                job = await self._fetch_job("SELECT data FROM jobs WHERE id = ?", (job_id,))
                if job is None:
                    await self._db.execute("COMMIT")
                    return None
                result = change(job)
                data = job.model_dump_json()
                await self._db.execute(
                    "UPDATE jobs SET status = ?, data = ? WHERE id = ?", (job.status.value, data, job_id)
                )
                if artifact is not None and isinstance(result, Changed) and result.applied:
                    await self._db.execute(_PUT_ARTIFACT, _artifact_row(artifact))
                await self._db.execute("COMMIT")
                self._remember(job)
            except BaseException:
                await self._rollback()
                raise
        return job, result

    async def delete_job(self, job_id: str) -> bool:
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = await self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
                deleted = cursor.rowcount > 0
                await self._db.execute("DELETE FROM artifacts WHERE job_id = ?", (job_id,))
                await self._db.execute("COMMIT")
                self._recent.pop(job_id, None)
            except BaseException:
                await self._rollback()
                raise
        return deleted

    async def unfinished_jobs(self, limit: int) -> list[Job]:
        marks = ", ".join("?" for _ in _UNFINISHED)
        rows = await self._fetch_all(
            # Only "?" placeholders are interpolated; the statuses are bound parameters.
            f"SELECT data FROM jobs WHERE status IN ({marks}) ORDER BY created_at LIMIT ?",  # noqa: S608  # nosec B608
            (*_UNFINISHED, limit),
        )
        return [Job.model_validate_json(row[0]) for row in rows]

    # --- artifacts -------------------------------------------------------------------------------------------

    async def put_artifact(self, artifact: StoredArtifact) -> None:
        async with self._write_lock:
            await self._db.execute(_PUT_ARTIFACT, _artifact_row(artifact))

    async def get_artifact(self, job_id: str, artifact: ArtifactType) -> StoredArtifact | None:
        row = await self._fetch_one(
            "SELECT data FROM artifacts WHERE job_id = ? AND type = ?", (job_id, artifact.value)
        )
        return None if row is None else StoredArtifact.model_validate_json(row[0])

    # --- sources ---------------------------------------------------------------------------------------------

    async def create_source(self, source: Source) -> Source:
        async with self._write_lock:
            cursor = await self._db.execute(
                "INSERT INTO sources (id, owner, sha256, created_at, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (owner, sha256) DO NOTHING",
                (source.id, source.owner, source.sha256, _stamp(source.created_at), source.model_dump_json()),
            )
            inserted = cursor.rowcount > 0
        if inserted:
            return source
        found = await self.find_source(source.owner, source.sha256)
        if found is None:  # deleted between the conflict and the read: this one may take its place
            return await self.create_source(source)
        return found

    async def get_source(self, source_id: str) -> Source | None:
        row = await self._fetch_one("SELECT data FROM sources WHERE id = ?", (source_id,))
        return None if row is None else Source.model_validate_json(row[0])

    async def find_source(self, owner: str, sha256: str) -> Source | None:
        row = await self._fetch_one("SELECT data FROM sources WHERE owner = ? AND sha256 = ?", (owner, sha256))
        return None if row is None else Source.model_validate_json(row[0])

    async def list_sources(self, owner: str, *, limit: int, after: SourceCursor | None) -> list[Source]:
        if after is None:
            rows = await self._fetch_all(
                "SELECT data FROM sources WHERE owner = ? ORDER BY created_at DESC, id DESC LIMIT ?", (owner, limit)
            )
        else:
            stamp = _stamp(after.created_at)
            rows = await self._fetch_all(
                "SELECT data FROM sources WHERE owner = ? AND (created_at < ? OR (created_at = ? AND id < ?)) "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                (owner, stamp, stamp, after.source_id, limit),
            )
        return [Source.model_validate_json(row[0]) for row in rows]

    async def delete_source(self, source_id: str) -> bool:
        async with self._write_lock:
            cursor = await self._db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return cursor.rowcount > 0

    # --- API keys --------------------------------------------------------------------------------------------

    async def get_key(self, key_id: str) -> ApiKey | None:
        row = await self._fetch_one("SELECT data FROM api_keys WHERE id = ?", (key_id,))
        return None if row is None else ApiKey.model_validate_json(row[0])

    async def put_key(self, key: ApiKey) -> None:
        async with self._write_lock:
            await self._db.execute(
                "INSERT INTO api_keys (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                (key.id, key.model_dump_json()),
            )

    async def count_keys(self) -> int:
        row = await self._fetch_one("SELECT COUNT(*) FROM api_keys")
        return int(row[0]) if row else 0

    async def list_keys(self, *, limit: int, after: str | None) -> list[ApiKey]:
        rows = await self._fetch_all(
            "SELECT data FROM api_keys WHERE id > ? ORDER BY id LIMIT ?", ("" if after is None else after, limit)
        )
        return [ApiKey.model_validate_json(row[0]) for row in rows]

    async def revoke_key(self, key_id: str, at: datetime, *, replaced_by: str | None = None) -> ApiKey | None:
        async with self._write_lock:
            row = await self._fetch_one("SELECT data FROM api_keys WHERE id = ?", (key_id,))
            if row is None:
                return None
            key = ApiKey.model_validate_json(row[0])
            if key.revoked_at is None or key.revoked_at > at:
                key.revoked_at = at
            key.replaced_by = replaced_by or key.replaced_by
            await self._db.execute("UPDATE api_keys SET data = ? WHERE id = ?", (key.model_dump_json(), key_id))
        return key

    async def add_usage(self, subject: str, day: date, tokens: int) -> None:
        async with self._write_lock:
            await self._db.execute(
                "INSERT INTO key_usage (subject, day, tokens) VALUES (?, ?, ?) "
                "ON CONFLICT (subject, day) DO UPDATE SET tokens = tokens + excluded.tokens",
                (subject, day.isoformat(), tokens),
            )

    async def usage(self, subject: str, day: date) -> int:
        row = await self._fetch_one(
            "SELECT tokens FROM key_usage WHERE subject = ? AND day = ?", (subject, day.isoformat())
        )
        return int(row[0]) if row else 0

    # --- plumbing --------------------------------------------------------------------------------------------

    def _remember(self, job: Job) -> None:
        # Always a freshly read or created object: callers change jobs only through ``update_job``.
        self._recent[job.id] = job
        self._recent.move_to_end(job.id)
        while len(self._recent) > self._recent_max:
            self._recent.popitem(last=False)

    # One thread hop per query: for point reads the hop, not SQLite, is the cost.
    async def _fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        rows = await self._db.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def _fetch_all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return list(await self._db.execute_fetchall(sql, params))

    async def _fetch_job(self, sql: str, params: tuple[Any, ...]) -> Job | None:
        row = await self._fetch_one(sql, params)
        return None if row is None else Job.model_validate_json(row[0])


def _stamp(moment: datetime) -> str:
    # One fixed-width UTC format, so text order is time order.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
