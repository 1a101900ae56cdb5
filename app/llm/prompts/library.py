"""Rendering the prompts: the same context reaches every template."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.content.catalogue import ArtifactType
from app.llm.prompts.languages import language_instruction, language_name

PROMPT_VERSION = "v1"
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

    def reask(self, context: PromptContext, *, problems: str, truncated: bool) -> str:
        return self._render("reask.j2", context, problems=problems, truncated=truncated)

    def condense(self, context: PromptContext, *, part: int, parts: int) -> str:
        return self._render("condense.j2", context, part=part, parts=parts)

    def _render(self, name: str, context: PromptContext, **extra: Any) -> str:
        return self._env.get_template(name).render(
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


def _fence(source: str | None) -> str | None:
    """The source between fixed markers, with any marker inside it defused, so it cannot close its own fence."""
    if source is None:
        return None
    body = source.replace(SOURCE_OPEN, "<<< SOURCE MATERIAL").replace(SOURCE_CLOSE, "END OF SOURCE MATERIAL >>>")
    return f"{SOURCE_OPEN}\n{body}\n{SOURCE_CLOSE}"
