"""Request and response bodies of the sources API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.sources.models import Source, SourceKind

TITLE_MAX = 300
URL_MAX = 2048

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]


class SourceCreate(BaseModel):
    """A source from JSON: a web page or document by URL, or a text with a title. (A file is a multipart upload
    with the file in the ``file`` part and an optional ``title`` part.)"""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"url": "https://en.wikipedia.org/wiki/Photosynthesis"},
                {"text": "Photosynthesis turns light into chemical energy…", "title": "Photosynthesis notes"},
            ]
        },
    )

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=URL_MAX)] | None = Field(
        default=None, description="An http(s) URL of a web page, PDF, DOCX, Markdown or text file."
    )
    text: Annotated[str, StringConstraints(min_length=1)] | None = Field(default=None, description="The text itself.")
    title: Title | None = Field(default=None, description=f"A title, up to {TITLE_MAX} characters.")

    @model_validator(mode="after")
    def _one_way_in(self) -> SourceCreate:
        if (self.url is None) == (self.text is None):
            raise ValueError("send either a url or a text")
        if self.text is not None and not self.text.strip():
            raise ValueError("text must contain text, not only whitespace")
        return self


class SourcePublic(BaseModel):
    id: str
    title: str
    kind: SourceKind
    characters: int
    pages: int | None = None
    language: str | None = Field(default=None, description="Detected from the text; null where it is unclear.")
    sha256: str = Field(description="Of the original bytes: the same bytes again return this source.")
    media_type: str
    size: int = Field(description="Bytes of the original.")
    url: str | None = None
    created_at: datetime

    @classmethod
    def of(cls, source: Source) -> SourcePublic:
        return cls(
            id=source.id,
            title=source.title,
            kind=source.kind,
            characters=source.characters,
            pages=source.pages,
            language=source.language,
            sha256=source.sha256,
            media_type=source.media_type,
            size=source.size,
            url=source.url,
            created_at=source.created_at,
        )


class SourcePage(BaseModel):
    items: list[SourcePublic]
    next_cursor: str | None = None


class SourceSpan(BaseModel):
    source_id: str
    start: int
    end: int
    text: str = Field(description="The source's text from start to end.")
    before: str = Field(description="Up to 200 characters before the span.")
    after: str = Field(description="Up to 200 characters after it.")
    page: int | None = Field(default=None, description="The PDF page the span starts on.")
