"""A whole job as one zip: every artifact in every format it is offered in, a folder per artifact, and
``manifest.json`` listing the files (and, under ``left_out``, any artifact whose stored content no longer
validates).

    manifest.json
    outline/outline.json
    outline/outline.md
    ...
    quiz/quiz.qti.zip
    quiz/quiz.gift.txt

Files a step of the job made (``Made``: ``podcast_script/podcast_script.mp3`` where the job asked for audio) go
in their artifact's folder and the manifest as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from app.content.catalogue import ArtifactType, artifact_types
from app.exports.archive import zipped
from app.exports.formats import Rendered
from app.exports.registry import FORMATS, job_artifact

MEDIA_TYPE = "application/zip"
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Made:
    """A file of an artifact that a step of the job made rather than a renderer (the podcast as MP3)."""

    artifact: ArtifactType
    extension: str
    media_type: str
    data: bytes


def render_job(
    job_id: str,
    title: str,
    artifacts: Mapping[ArtifactType, Mapping[str, Any]],
    *,
    modified: datetime | None = None,
    made: Sequence[Made] = (),
) -> Rendered:
    """The job's stored artifacts (those it has: a failed one is left out), in catalogue order whatever the
    mapping's order, so the same artifacts give the same bytes (``modified`` given, for the Anki packages); and
    the files the job's own steps made (``made``: the podcast read aloud), each after its artifact's."""
    modified = modified or datetime.now(UTC)  # one time for every Anki package of the bundle
    entries: list[tuple[str, bytes]] = []
    listed: list[dict[str, Any]] = []
    left_out: list[str] = []
    for artifact in (a for a in artifact_types() if a in artifacts):
        try:
            item = job_artifact(artifact, artifacts[artifact], job_id=job_id, title=title, modified=modified)
        except ValidationError:  # stored by a release whose model this one no longer accepts
            left_out.append(artifact.value)
            continue
        for chosen in (f for f in FORMATS if f.offers(artifact)):
            path = f"{artifact}/{artifact}.{chosen.extension}"
            data = chosen.render(item)
            entries.append((path, data))
            listed.append(
                {
                    "path": path,
                    "artifact": artifact.value,
                    "format": chosen.name,
                    "media_type": chosen.media_type,
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        for extra in (m for m in made if m.artifact is artifact):
            path = f"{artifact}/{artifact}.{extra.extension}"
            entries.append((path, extra.data))
            listed.append(
                {
                    "path": path,
                    "artifact": artifact.value,
                    "format": extra.extension,
                    "media_type": extra.media_type,
                    "bytes": len(extra.data),
                    "sha256": hashlib.sha256(extra.data).hexdigest(),
                }
            )
    manifest = {"job_id": job_id, "title": title, "files": listed, "left_out": left_out}
    encoded = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return Rendered(zipped([(MANIFEST, encoded), *entries]), MEDIA_TYPE, "zip")
