"""The export formats, and which of them each artifact type offers; rendering one artifact in one of them.

Each format declares the types it renders beside its code (``markdown.RENDERERS``, ``tables.TABLES``,
``anki.NOTE_TYPES``; QTI and GIFT the quiz alone); JSON renders every type. Adding a format: a module with its
``Format``, and an entry in ``FORMATS``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.content.catalogue import ArtifactType, validate_content
from app.exports.anki import APKG
from app.exports.formats import Format, JobArtifact, Rendered
from app.exports.gift import GIFT
from app.exports.markdown import MARKDOWN
from app.exports.qti import QTI_PACKAGE
from app.exports.tables import CSV


def _json(item: JobArtifact) -> bytes:
    return (json.dumps(dict(item.content), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


JSON = Format(name="json", media_type="application/json", extension="json", offers=lambda _: True, render=_json)

FORMATS: tuple[Format, ...] = (JSON, MARKDOWN, CSV, APKG, QTI_PACKAGE, GIFT)
_BY_NAME = {f.name: f for f in FORMATS}


class UnknownFormat(ValueError):
    """A format the artifact type is not offered in; ``known`` are the ones it is."""

    def __init__(self, artifact: ArtifactType, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"{artifact} is not offered as {name!r}; it is offered as {', '.join(known)}")
        self.artifact = artifact
        self.name = name
        self.known = known


def formats_of(artifact: ArtifactType) -> tuple[str, ...]:
    """The names of the formats the artifact type is offered in, JSON first."""
    return tuple(f.name for f in FORMATS if f.offers(artifact))


def format_of(artifact: ArtifactType, name: str) -> Format:
    found = _BY_NAME.get(name)
    if found is None or not found.offers(artifact):
        raise UnknownFormat(artifact, name, formats_of(artifact))
    return found


def job_artifact(
    artifact: ArtifactType, content: Mapping[str, Any], *, job_id: str, title: str, modified: datetime | None
) -> JobArtifact:
    """The stored content with its validated model. ``modified`` (the stored artifact's ``created_at``) is when
    Anki notes were last changed; without it, now."""
    return JobArtifact(
        artifact=artifact,
        content=content,
        model=validate_content(artifact, dict(content), {}),
        job_id=job_id,
        title=title,
        modified=modified or datetime.now(UTC),
    )


def render(
    artifact: ArtifactType,
    name: str,
    content: Mapping[str, Any],
    *,
    job_id: str,
    title: str,
    modified: datetime | None = None,
) -> Rendered:
    """The artifact in the named format; ``UnknownFormat`` for a format it is not offered in. The same arguments
    give the same bytes (``modified`` given, for Anki packages)."""
    chosen = format_of(artifact, name)
    item = job_artifact(artifact, content, job_id=job_id, title=title, modified=modified)
    return Rendered(chosen.render(item), chosen.media_type, chosen.extension)
