"""The source store port: sources' metadata (their text and original live in blob storage). Adapters: the SQLite
and Firestore stores, which hold jobs and keys too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.sources.models import Source


@dataclass(frozen=True, slots=True)
class SourceCursor:
    """Position after the last source of a page: newest first, ties broken by id."""

    created_at: datetime
    source_id: str


class SourceStore(Protocol):
    async def create_source(self, source: Source) -> Source:
        """Insert the source; when its owner already has one with the same ``sha256``, return that one instead."""
        ...

    async def get_source(self, source_id: str) -> Source | None: ...

    async def find_source(self, owner: str, sha256: str) -> Source | None:
        """The owner's source of these bytes, if there is one."""
        ...

    async def list_sources(self, owner: str, *, limit: int, after: SourceCursor | None) -> list[Source]:
        """The owner's sources, newest first, starting after the cursor."""
        ...

    async def delete_source(self, source_id: str) -> bool:
        """Delete the source's metadata; ``False`` when there was none."""
        ...
