"""Sources as the API sees them: add (upload, URL, text), read, page, delete, and resolve for a job.

A source is added whole or not at all: its text is extracted before anything is stored, the original and the
text go to blob storage, then the metadata to the store; a failure on the way removes what was written.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio

from app import paging
from app.errors import BadRequest, NotFound, PayloadTooLarge
from app.sources.extract import ExtractLimits, extract
from app.sources.fetch import FetchPolicy, Resolver, fetch_url, system_resolver
from app.sources.models import Source, SourceRef, SourceRejected, original_key, text_key
from app.sources.storage import BlobNotFound, BlobStorage
from app.sources.store import SourceCursor, SourceStore

SEPARATOR = "\n\n"  # between the texts of a job's sources
SPAN_CONTEXT = 200  # characters shown either side of an evidence span


@dataclass(frozen=True, slots=True)
class SourceLimits:
    max_bytes: int
    max_pages: int
    max_characters: int
    fetch: FetchPolicy


@dataclass(frozen=True, slots=True)
class SourcesService:
    store: SourceStore
    blobs: BlobStorage
    limits: SourceLimits
    detect_language: Callable[[str], str | None] | None = None
    resolver: Resolver = system_resolver

    # --- adding ----------------------------------------------------------------------------------------------

    async def add_upload(
        self,
        owner: str,
        data: bytes,
        *,
        filename: str | None,
        declared_type: str | None,
        title: str | None = None,
    ) -> tuple[Source, bool]:
        """The source of an uploaded file, and whether it is new (the same bytes again return the first)."""
        self._check_size(len(data), "file")
        return await self._add(owner, data, filename=filename, declared_type=declared_type, title=title)

    async def add_url(self, owner: str, url: str) -> tuple[Source, bool]:
        fetched = await fetch_url(url, self.limits.fetch, resolver=self.resolver)
        return await self._add(
            owner, fetched.data, filename=fetched.filename, declared_type=fetched.header, url=fetched.url
        )

    async def add_text(self, owner: str, text: str, *, title: str | None) -> tuple[Source, bool]:
        data = text.encode("utf-8")
        self._check_size(len(data), "text")
        return await self._add(owner, data, filename=None, declared_type="text/plain", title=title, field="text")

    async def _add(
        self,
        owner: str,
        data: bytes,
        *,
        filename: str | None,
        declared_type: str | None,
        url: str | None = None,
        title: str | None = None,
        field: str = "file",
    ) -> tuple[Source, bool]:
        digest = hashlib.sha256(data).hexdigest()
        existing = await self.store.find_source(owner, digest)
        if existing is not None:
            return existing, False
        limits = ExtractLimits(max_pages=self.limits.max_pages, max_characters=self.limits.max_characters)
        try:
            extracted = await anyio.to_thread.run_sync(
                lambda: extract(data, filename=filename, declared_type=declared_type, limits=limits)
            )
        except SourceRejected as exc:
            if field != "file" and isinstance(exc.details, dict):
                exc.details["field"] = field
            raise
        language = self.detect_language(extracted.text) if self.detect_language else None
        source = Source(
            id=f"src_{secrets.token_hex(12)}",
            owner=owner,
            title=(title or extracted.title or _title_from(filename, url) or "Untitled source")[:300],
            kind=extracted.kind,
            characters=len(extracted.text),
            pages=len(extracted.page_starts) or None,
            page_starts=extracted.page_starts,
            language=language,
            sha256=digest,
            media_type=extracted.media_type,
            size=len(data),
            url=url,
            created_at=datetime.now(UTC),
        )
        try:
            await self.blobs.put(original_key(source.id), data, content_type=extracted.media_type)
            await self.blobs.put(
                text_key(source.id), extracted.text.encode("utf-8"), content_type="text/plain; charset=utf-8"
            )
            stored = await self.store.create_source(source)
        except BaseException:
            # Nothing half-stored, even when cancelled, or when the store committed but its answer was lost.
            await asyncio.shield(self._forget(source.id))
            raise
        if stored.id != source.id:  # the same bytes were added meanwhile: theirs stands
            await self._discard(source.id)
            return stored, False
        return source, True

    def _check_size(self, size: int, field: str) -> None:
        if size > self.limits.max_bytes:
            raise PayloadTooLarge(
                f"The {field} has {size:,} bytes; the limit is {self.limits.max_bytes:,} (CF_SOURCE_MAX_BYTES).",
                code="source_too_large",
                details={"field": field, "limit_bytes": self.limits.max_bytes},
            )

    async def _discard(self, source_id: str) -> None:
        await self.blobs.delete_prefix(f"sources/{source_id}/")

    async def _forget(self, source_id: str) -> None:
        await self.store.delete_source(source_id)
        await self._discard(source_id)

    # --- reading ---------------------------------------------------------------------------------------------

    async def get(self, owner: str, source_id: str) -> Source:
        source = await self.store.get_source(source_id)
        if source is None or source.owner != owner:
            raise NotFound(f"No source {source_id}.", code="source_not_found", details={"source_id": source_id})
        return source

    async def page(self, owner: str, *, limit: int, cursor: str | None) -> tuple[list[Source], str | None]:
        after = decode_cursor(cursor) if cursor else None
        found = await self.store.list_sources(owner, limit=limit + 1, after=after)
        items = found[:limit]
        return items, encode_cursor(items[-1]) if len(found) > limit else None

    async def text(self, owner: str, source_id: str) -> tuple[Source, str]:
        source = await self.get(owner, source_id)
        try:
            return source, (await self.blobs.get(text_key(source.id))).decode("utf-8")
        except BlobNotFound as exc:  # deleted meanwhile
            raise NotFound(f"No source {source_id}.", code="source_not_found") from exc

    async def delete(self, owner: str, source_id: str) -> None:
        source = await self.get(owner, source_id)
        await self._discard(source.id)  # the files first: a failure leaves the source listed, to delete again
        await self.store.delete_source(source.id)

    # --- jobs ------------------------------------------------------------------------------------------------

    async def resolve(
        self, owner: str, source_ids: Sequence[str], *, max_characters: int
    ) -> tuple[str, tuple[SourceRef, ...]]:
        """The texts of a job's sources, joined in order, and where each one lies in the joined text."""
        if len(set(source_ids)) != len(source_ids):
            raise SourceRejected("source_ids must not repeat a source.", code="validation_error", field="source_ids")
        sources = [await self.get(owner, source_id) for source_id in source_ids]
        total = sum(source.characters for source in sources) + len(SEPARATOR) * (len(sources) - 1)
        if total > max_characters:  # known before any text is read
            raise SourceRejected(
                f"The sources hold {total:,} characters together; a job takes at most {max_characters:,}.",
                code="sources_too_long",
                field="source_ids",
                limit_characters=max_characters,
                characters=total,
            )
        texts: list[str] = []
        refs: list[SourceRef] = []
        offset = 0
        for source in sources:
            _, text = await self.text(owner, source.id)
            if texts:
                offset += len(SEPARATOR)
            refs.append(
                SourceRef(
                    id=source.id,
                    title=source.title,
                    start=offset,
                    end=offset + len(text),
                    page_starts=source.page_starts,
                )
            )
            texts.append(text)
            offset += len(text)
        return SEPARATOR.join(texts), tuple(refs)


def span(text: str, start: int, end: int, context: int = SPAN_CONTEXT) -> dict[str, object]:
    """A passage of a source's text, with some context either side, for a page to show."""
    if not 0 <= start <= end <= len(text):
        raise BadRequest(
            f"start and end must satisfy 0 <= start <= end <= {len(text)}.",
            code="span_out_of_range",
            details={"field": "start", "characters": len(text)},
        )
    before = max(0, start - context)
    after = min(len(text), end + context)
    return {
        "start": start,
        "end": end,
        "text": text[start:end],
        "before": text[before:start],
        "after": text[end:after],
        "context_start": before,
        "context_end": after,
    }


def _title_from(filename: str | None, url: str | None) -> str | None:
    name = filename or (url.rstrip("/").rsplit("/", 1)[-1] if url else None)
    if not name:
        return None
    return name.rsplit(".", 1)[0] if "." in name else name


def encode_cursor(source: Source) -> str:
    return paging.encode_cursor(source.created_at, source.id)


def decode_cursor(cursor: str) -> SourceCursor:
    created_at, source_id = paging.decode_cursor(cursor)
    return SourceCursor(created_at, source_id)
