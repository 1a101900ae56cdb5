"""What an export format is, what it is given (one artifact of one job) and what it gives back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from app.content.catalogue import ArtifactType
from app.content.grounding import Evidence
from app.content.models import ArtifactModel

M = TypeVar("M", bound=ArtifactModel)
MAX_NAME = 100  # characters of the title in the names of decks and questions (Moodle holds 255 in a name)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobArtifact:
    """One stored artifact of a job, as a format renders it."""

    artifact: ArtifactType
    content: Mapping[str, Any]  # as stored
    model: ArtifactModel  # the same content, validated against the artifact's model
    job_id: str
    title: str  # the job's title, for headings, deck and item names
    modified: datetime  # when the content was made: Anki updates a note only from a newer one

    def content_as(self, model: type[M]) -> M:
        if not isinstance(self.model, model):
            raise TypeError(f"{self.artifact} content is a {type(self.model).__name__}, not a {model.__name__}")
        return self.model

    def heading(self, label: str) -> str:
        """``label: title``, or the label alone for a job without a title."""
        title = " ".join(self.title.split())
        return f"{label}: {title}" if title else label

    def name(self, fallback: str) -> str:
        """The title on one line, cut to ``MAX_NAME`` characters, or ``fallback`` for a job without one."""
        title = " ".join(self.title.split())
        return (title[: MAX_NAME - 1].rstrip() + "…" if len(title) > MAX_NAME else title) or fallback


@dataclass(frozen=True, slots=True)
class Rendered:
    data: bytes
    media_type: str
    extension: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """An export format: its name (``?format=``), what it is served as, and the artifact types it renders."""

    name: str
    media_type: str
    extension: str
    offers: Callable[[ArtifactType], bool]
    render: Callable[[JobArtifact], bytes]


def location(evidence: Evidence) -> str:
    """Where a passage is, for a person: ``source src_1, page 3, characters 120–240``."""
    parts = [f"source {evidence.source_id}"] if evidence.source_id else []
    if evidence.page is not None:
        parts.append(f"page {evidence.page}")
    parts.append(f"characters {evidence.start}–{evidence.end}")
    return ", ".join(parts)
