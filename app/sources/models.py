"""What a source is, and the one error every way of rejecting one raises."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.content.grounding import SourceRef
from app.errors import Unprocessable

__all__ = ["Source", "SourceKind", "SourceRef", "SourceRejected", "original_key", "text_key"]


class SourceKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    HTML = "html"
    MARKDOWN = "markdown"
    RST = "rst"
    TEXT = "text"


class Source(BaseModel):
    """A source as stored: its metadata. The original bytes and the extracted text live in blob storage under
    ``original_key`` and ``text_key``, never in the document store (Firestore's 1 MiB document limit)."""

    model_config = ConfigDict(frozen=True)

    id: str
    owner: str
    title: str
    kind: SourceKind
    characters: int = Field(ge=0)
    pages: int | None = None  # PDFs: the page count
    page_starts: tuple[int, ...] = ()  # PDFs: the character offset in the text where each page starts
    language: str | None = None  # detected from the text; None where it could not be told
    sha256: str  # of the original bytes: one owner uploading the same bytes twice gets the same source
    media_type: str  # of the original, as detected
    size: int = Field(ge=0)  # bytes of the original
    url: str | None = None  # where it was fetched from, for URL sources
    created_at: datetime

    def page_of(self, offset: int) -> int | None:
        """The 1-based PDF page holding the character at ``offset``; None for sources without pages."""
        if not self.page_starts:
            return None
        return sum(1 for start in self.page_starts if start <= offset) or 1


def original_key(source_id: str) -> str:
    return f"sources/{source_id}/original"


def text_key(source_id: str) -> str:
    return f"sources/{source_id}/text.txt"


class SourceRejected(Unprocessable):
    """A source that cannot be used, with a code naming the problem (``encrypted_pdf``, ``no_text_layer``,
    ``blocked_address``, …) and ``details`` naming the field and the limit where there is one."""

    def __init__(self, message: str, *, code: str, field: str = "file", **details: object) -> None:
        super().__init__(message, code=code, details={"field": field, **details})
