"""A whole job as one zip: every artifact in every format it is offered in, a folder per artifact, and
``manifest.json`` listing the files (and, under ``left_out``, any artifact whose stored content no longer
validates).

    manifest.json
    outline/outline.json
    outline/outline.md
    ...
    quiz/quiz.qti.zip
    quiz/quiz.gift.txt
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from app.content.catalogue import ArtifactType, artifact_types
from app.exports.archive import zipped
from app.exports.formats import Rendered
from app.exports.registry import FORMATS, job_artifact

MEDIA_TYPE = "application/zip"
MANIFEST = "manifest.json"


def render_job(
    job_id: str,
    title: str,
    artifacts: Mapping[ArtifactType, Mapping[str, Any]],
    *,
    modified: datetime | None = None,
) -> Rendered:
    """The job's stored artifacts (those it has: a failed one is left out), in catalogue order whatever the
    mapping's order, so the same artifacts give the same bytes (``modified`` given, for the Anki packages)."""
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
    manifest = {"job_id": job_id, "title": title, "files": listed, "left_out": left_out}
    encoded = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return Rendered(zipped([(MANIFEST, encoded), *entries]), MEDIA_TYPE, "zip")
