"""Rendering the prompts: the same context reaches every template.

Two versions live side by side (``CF_LLM_PROMPT_VERSION``); the version is part of every cache key.

- ``v1``: instructions first, then the request, the source between fixed markers (defused inside it), the
  outline.
- ``v2`` (default): the source first and the instructions last, so that the calls of a job (one per artifact)
  share a prefix holding the whole source (the providers' prompt caches serve it again at a discount). The source stands
  verbatim between tags that carry an id derived from its own digest (``fence_id``): no text inside a source
  can contain the closing tag of its own fence. The outline is fenced the same way, as structure to follow.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.content.catalogue import ArtifactType
from app.llm.prompts.languages import language_instruction, language_name

PROMPT_VERSION = "v2"
PROMPT_VERSIONS = ("v1", "v2")
_ROOT = Path(__file__).parent

SOURCE_OPEN, SOURCE_CLOSE = "<<<SOURCE MATERIAL", "END OF SOURCE MATERIAL>>>"


@dataclass(frozen=True, slots=True)
class PromptContext:
    language: str
    topic: str | None = None
    source: str | None = None
    audience: str | None = None
    difficulty: str | None = None
    focus: str | None = None
    controls: dict[str, Any] = field(default_factory=dict)
    outline: dict[str, Any] | None = None


class Prompts:
    def __init__(self, version: str = PROMPT_VERSION) -> None:
        self.version = version
        self._env = Environment(
            loader=FileSystemLoader(_ROOT / version),
            undefined=StrictUndefined,
            # Plain-text prompts, never HTML: nothing to escape.
            autoescape=False,  # noqa: S701  # nosec B701
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def missing(self, artifacts: Sequence[ArtifactType]) -> list[ArtifactType]:
        """The artifact types this prompt version has no template for."""
        return [a for a in artifacts if not (_ROOT / self.version / f"{a.value}.j2").is_file()]

    def system(self, context: PromptContext) -> str:
        return self._render("system.j2", context)

    def artifact(self, artifact: ArtifactType, context: PromptContext) -> str:
        return self._render(f"{artifact.value}.j2", context)

    def shared(self, context: PromptContext) -> str:
        """The opening every artifact prompt of a job shares (the fenced source), which a provider may cache;
        empty for a prompt version without one."""
        if not (_ROOT / self.version / "_source.j2").is_file():
            return ""
        return self._render("_source.j2", context)

    def reask(
        self,
        context: PromptContext,
        *,
        problems: str,
        truncated: bool,
        target_words: int | None = None,
        current_words: int | None = None,
    ) -> str:
        return self._render(
            "reask.j2",
            context,
            problems=problems,
            truncated=truncated,
            target_words=target_words,
            current_words=current_words,
        )

    def condense(self, context: PromptContext, *, part: int, parts: int, target_words: int = 0) -> str:
        return self._render("condense.j2", context, part=part, parts=parts, target_words=target_words)

    def _render(self, name: str, context: PromptContext, **extra: Any) -> str:
        outline = json.dumps(context.outline, ensure_ascii=False, indent=1) if context.outline else None
        return self._env.get_template(name).render(
            source_text=context.source,
            source_id=None if context.source is None else fence_id(context.source),
            outline_text=outline,
            outline_id=None if outline is None else fence_id(outline),
            language=context.language,
            language_name=language_name(context.language),
            language_instruction=language_instruction(context.language),
            topic=context.topic,
            source=_fence(context.source),
            audience=context.audience,
            difficulty=context.difficulty,
            focus=context.focus,
            controls=context.controls,
            outline=json.dumps(context.outline, ensure_ascii=False, indent=1) if context.outline else None,
            **extra,
        )


def fence_id(text: str) -> str:
    """The id of a text's fence: 16 hex digits of its own SHA-256, which the text cannot contain in a closing
    tag (it would have to hold a prefix of its own digest). The same source gets the same fence in every call
    of a job, so their prompts share a prefix."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _fence(source: str | None) -> str | None:
    """The source between fixed markers, with any marker inside it defused, so it cannot close its own fence."""
    if source is None:
        return None
    body = source.replace(SOURCE_OPEN, "<<< SOURCE MATERIAL").replace(SOURCE_CLOSE, "END OF SOURCE MATERIAL >>>")
    return f"{SOURCE_OPEN}\n{body}\n{SOURCE_CLOSE}"
