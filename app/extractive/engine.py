"""The offline engine: builds every artifact from the source text alone, with no model and no network."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio.to_thread
from pydantic import ValidationError

from app.content.catalogue import ArtifactOptions, ArtifactType, CatalogueError, spec_of, validate_content
from app.content.generator import (
    Generated,
    GenerationInput,
    GenerationTask,
    PermanentGenerationError,
    Usage,
)
from app.content.grounding import attach, evidence_field, index_source, own_quotes
from app.content.models import ArtifactModel, Outline
from app.errors import Unprocessable
from app.extractive import language, recipes
from app.extractive.analysis import analyse
from app.extractive.capacity import LLM_HINT, Shortfall, SourceTooShort, merged, summary

NO_SOURCE = (
    "The offline 'extractive' engine builds study materials from source text; this request has only a topic. "
    f"Send source_text, {LLM_HINT} to work from a topic."
)


class ExtractiveGenerator:
    """The ``Generator`` port served by sentence extraction and fixed templates (English only)."""

    def __init__(self) -> None:
        lacking = recipes.missing()
        if lacking:
            names = ", ".join(repr(a.value) for a in lacking)
            raise CatalogueError(
                f"The offline engine has no recipe for artifact type {names}: add one to RECIPES in "
                "app/extractive/recipes.py (a builder and what it needs from the text)."
            )

    @property
    def provider(self) -> str:
        return "extractive"

    @property
    def model(self) -> str:
        return "extractive-v1"

    @property
    def prompt_version(self) -> str:
        # Part of every cache key: change it whenever the output for a given input changes.
        return "extractive-1"

    async def check(
        self, request: GenerationInput, artifacts: Sequence[ArtifactType], options: ArtifactOptions
    ) -> None:
        text = request.source_text
        if text is None or not text.strip():
            raise Unprocessable(NO_SOURCE, details=[{"field": "source_text", "message": NO_SOURCE, "type": "missing"}])
        asked = language.primary(request.language)
        if asked not in language.SERVED:
            message = (
                f"The offline 'extractive' engine writes {_served()}; this request asks for language "
                f"{request.language!r}. Ask for one of those, {LLM_HINT} to write in other languages."
            )
            raise Unprocessable(message, details=[{"field": "language", "message": message, "type": "unsupported"}])
        written, problems = await anyio.to_thread.run_sync(admission_check, text, asked, tuple(artifacts), options)
        if written is not None and written != asked:
            message = _mismatch(written, asked)
            raise Unprocessable(message, details=[{"field": "language", "message": message, "type": "mismatch"}])
        if problems:
            raise Unprocessable(
                summary(problems),
                details=[{"field": p.field, "message": p.message, "type": "insufficient_source"} for p in problems],
            )

    @staticmethod
    def warm_up() -> None:
        """Load what the first request would otherwise wait for: the language model and the English lemmas
        (about two seconds; the app runs this in a worker thread as it starts)."""
        language.warm_up()
        analyse("Warming up. The engine reads this sentence once, and the lemma dictionary is loaded.")

    def honoured(self, artifact: ArtifactType) -> frozenset[str]:
        """The offline engine quotes the text: it cannot write for an audience. ``focus`` weighs what every
        artifact quotes; ``difficulty`` orders the outline's label, cards, FAQ and questions; ``count`` and
        ``minutes`` are each type's own."""
        return recipes.honoured(artifact)

    async def generate(self, task: GenerationTask) -> Generated:
        text = task.input.source_text
        if text is None or not text.strip():
            raise PermanentGenerationError(NO_SOURCE, code="source_missing")
        controls = {**spec_of(task.artifact).defaults(), **task.controls}
        content = await anyio.to_thread.run_sync(_grounded, task.artifact, text, controls, task.outline, task.input)
        return Generated(content=content, usage=Usage())


def _grounded(
    artifact: ArtifactType, text: str, controls: dict[str, Any], outline: Outline | None, request: GenerationInput
) -> ArtifactModel:
    """The artifact, each item with the passages of the source it was made from (found in the text as given,
    markup and all; an item whose sentences cannot be found there has none)."""
    content = _generate(artifact, text, controls, outline, request)
    items = evidence_field(type(content))
    if items is None:
        return content
    data = content.model_dump(mode="json")
    index = index_source(text)
    attach(data[items], [own_quotes(item) for item in data[items]], index, partial=True)
    return validate_content(artifact, data, controls)


def _served() -> str:
    names = [language.name(code) for code in language.SERVED]
    return names[0] + " only" if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _mismatch(written: str, asked: str) -> str:
    found = f"The source text is in {language.name(written)}, but the request asks for {language.name(asked)}"
    if written in language.SERVED:
        return f'{found}: send "language": "{written}" to study it in its own language.'
    return f"{found}. The offline 'extractive' engine writes {_served()}; {LLM_HINT.removeprefix('or ')} to work in it."


# The admission check reads at most this much of a source: it runs before the 202, so its cost must not grow with
# the text. What a prefix can fill, the whole text can fill too (every count it checks grows with the text).
ADMISSION_CHARS = 40_000


def admission_check(
    text: str, asked: str, artifacts: tuple[ArtifactType, ...], options: ArtifactOptions
) -> tuple[str | None, list[Shortfall]]:
    """The language the source is written in (``None``: too short or unclear to tell) and what the requested
    artifacts would lack, both read from its admission sample."""
    sample = admission_sample(text)
    analysis = analyse(sample, asked)
    written = language.detect(" ".join(analysis.sentences[:200])) or language.detect(sample)
    wanted = [ArtifactType.OUTLINE, *(a for a in artifacts if a is not ArtifactType.OUTLINE)]
    problems = merged(recipes.shortfalls(analysis, artifact, options.for_type(artifact)) for artifact in wanted)
    if problems and len(sample) < len(text):
        # The prefix falls short, but the rest of the text may not: the job's steps read all of it, and an
        # artifact the whole text cannot fill fails there, naming its shortfall (``source_too_short``).
        return written, []
    return written, problems


def admission_shortfalls(text: str, artifacts: tuple[ArtifactType, ...], options: ArtifactOptions) -> list[Shortfall]:
    """What the requested artifacts would lack, for an English source (``make bench``)."""
    return admission_check(text, "en", artifacts, options)[1]


def admission_sample(text: str, limit: int = ADMISSION_CHARS) -> str:
    """The text itself when short enough; else its first ``limit`` characters, cut at the last paragraph break,
    or else the last sentence end, in the final quarter of them."""
    if len(text) <= limit:
        return text
    floor = limit * 3 // 4
    for mark in ("\n\n", ". ", "\n"):
        cut = text.rfind(mark, floor, limit)
        if cut != -1:
            return text[: cut + len(mark)].rstrip()
    return text[:limit]


def _generate(
    artifact: ArtifactType,
    text: str,
    controls: dict[str, Any],
    outline: Outline | None,
    request: GenerationInput,
) -> ArtifactModel:
    try:
        data = recipes.build(artifact, analyse(text, language.primary(request.language)), controls, outline, request)
    except SourceTooShort as exc:
        raise PermanentGenerationError(str(exc), code="source_too_short") from exc
    try:
        return validate_content(artifact, data, controls)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'content'}: {err['msg']}" for err in exc.errors()[:3]
        )
        raise PermanentGenerationError(
            f"The extractive engine produced an invalid {artifact.value}: {problems}", code="invalid_output"
        ) from exc
