"""Download file names: plain ASCII whatever the job's title, safe in a Content-Disposition header and on disk."""

from __future__ import annotations

import re
import unicodedata

from app.content.catalogue import ArtifactType

_NOT_NAME = re.compile(r"[^a-z0-9]+")
_EXTENSION = re.compile(r"^[a-z0-9]+(?:\.[a-z0-9]+)*$")
MAX_STEM = 80  # characters of the title kept: names stay readable in a file list
FALLBACK = "content-factory"


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits, runs of anything else one hyphen (accents dropped, ``é`` -> ``e``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_NAME.sub("-", ascii_text.lower()).strip("-")


def filename(title: str, artifact: ArtifactType | None, extension: str) -> str:
    """``photosynthesis-flashcards.csv``; a job's bundle (no artifact) is ``photosynthesis.zip``."""
    if not _EXTENSION.match(extension):
        raise ValueError(f"not a file extension: {extension!r}")
    stem = slug(title)[:MAX_STEM].rstrip("-") or FALLBACK
    if artifact is not None:
        stem = f"{stem}-{slug(artifact)}"
    return f"{stem}.{extension}"
