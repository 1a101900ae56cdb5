"""The LLM generator: prompts in, a validated artifact out, through any ``ProviderClient``.

Layers, in order: the artifact's schema enforced by the provider; tolerant parsing of what comes back;
truncation read from the finish reason; validation by the artifact model; at most ``max_reasks`` re-asks that
show the model what was wrong. Transport failures are the retry policy's (``CallPolicy``), never re-asks, so a
rate limit does not cost an extra generation and invalid output is never retried as if it were an outage.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from app.config import ConfigError, Settings
from app.content.cache import ArtifactCache
from app.content.catalogue import (
    ArtifactOptions,
    ArtifactType,
    CatalogueError,
    artifact_types,
    spec_of,
    validate_content,
)
from app.content.generator import (
    REQUEST_CONTROLS,
    Generated,
    GenerationError,
    GenerationInput,
    GenerationTask,
    PermanentGenerationError,
    Usage,
)
from app.content.grounding import SourceIndex, attach, evidence_field, index_source, take_quotes
from app.content.models import ArtifactModel
from app.llm.condense import CondensePart, Condenser
from app.llm.lengths import held_to_length, output_budget, spoken_words, thinking_budget
from app.llm.parsing import OutputError, parse_object
from app.llm.policy import CallPolicy, CircuitBreaker
from app.llm.pricing import DEFAULT_INPUT_BUDGETS, UNKNOWN_MODEL_BUDGET, PriceTable, estimate_tokens
from app.llm.prompts import PromptContext, Prompts
from app.llm.providers import PROVIDERS, ProviderSpec
from app.llm.providers.base import Completion, Finish, Message, ProviderClient, ProviderError
from app.llm.schema import Dialect, notes_schema, provider_schema
from app.observability.metrics import LlmOutcome, Metrics

# Room left in the input budget for the instructions, the outline and re-asks around the source.
_PROMPT_OVERHEAD_TOKENS = 3_000


class LlmGenerator:
    def __init__(
        self,
        client: ProviderClient,
        *,
        dialect: Dialect,
        prompts: Prompts,
        policy: CallPolicy,
        prices: PriceTable,
        condenser: Condenser,
        max_reasks: int,
        max_input_tokens: int,
        max_output_tokens: int,
        metrics: Metrics | None = None,
    ) -> None:
        self._client = client
        self._metrics = metrics
        self._prompts = prompts
        self._policy = policy
        self._prices = prices
        self._condenser = condenser
        self._max_reasks = max_reasks
        self._budget = max(1_000, max_input_tokens - _PROMPT_OVERHEAD_TOKENS)
        self._max_output = max_output_tokens
        self._dialect = dialect

    @classmethod
    def from_settings(
        cls, settings: Settings, cache: ArtifactCache | None, metrics: Metrics | None = None
    ) -> LlmGenerator:
        """The configured provider's client, created once (in the lifespan), and everything around it."""
        spec = provider_spec(settings)
        model = settings.llm_model or spec.default_model
        provider = spec.name
        prompts = Prompts(settings.llm_prompt_version)
        lacking = prompts.missing(artifact_types())
        if lacking:
            files = ", ".join(f"app/llm/prompts/{prompts.version}/{a.value}.j2" for a in lacking)
            raise CatalogueError(
                f"Prompts {prompts.version} have no template for artifact type "
                f"{', '.join(repr(a.value) for a in lacking)}: add {files}."
            )
        client = spec.open(settings, model)  # after every check, so that a refusal leaves nothing open
        breaker = CircuitBreaker(
            failures=settings.llm_circuit_failures, cooldown_seconds=settings.llm_circuit_cooldown_seconds
        )
        return cls(
            client,
            dialect=spec.dialect,
            prompts=prompts,
            policy=CallPolicy(
                provider=provider,
                attempts=settings.llm_retry_attempts,
                max_seconds=settings.llm_retry_max_seconds,
                breaker=breaker,
                backoff_base=settings.llm_retry_base_seconds,
            ),
            prices=PriceTable(settings.llm_prices),
            condenser=Condenser(cache, engine=f"{provider}:{model}:{prompts.version}"),
            max_reasks=settings.llm_max_reasks,
            max_input_tokens=settings.llm_max_input_tokens or DEFAULT_INPUT_BUDGETS.get(model, UNKNOWN_MODEL_BUDGET),
            max_output_tokens=settings.llm_max_output_tokens,
            metrics=metrics,
        )

    async def close(self) -> None:
        await self._client.close()

    @property
    def provider(self) -> str:
        return self._client.provider

    @property
    def model(self) -> str:
        return self._client.model

    @property
    def prompt_version(self) -> str:
        return self._prompts.version

    async def check(
        self, request: GenerationInput, artifacts: Sequence[ArtifactType], options: ArtifactOptions
    ) -> None:
        """A model works from a topic alone or from any source the request limits allow (long ones are
        condensed), in any language: nothing to refuse beyond what request validation already refuses."""
        return None

    def honoured(self, artifact: ArtifactType) -> frozenset[str]:
        """A model reads every control: the request's, and the artifact type's own."""
        return frozenset({*REQUEST_CONTROLS, *spec_of(artifact).defaults()})

    async def generate(self, task: GenerationTask) -> Generated:
        usage = Usage()
        source = task.input.source_text
        if source is not None:
            source, usage = await self._condenser.fit(source, self._budget, self._condense_part(task.input))
        context = PromptContext(
            language=task.input.language,
            topic=task.input.topic,
            source=source,
            audience=task.input.audience,
            difficulty=task.input.difficulty.value if task.input.difficulty else None,
            focus=task.input.focus,
            controls=task.controls,
            outline=task.outline.model_dump(mode="json") if task.outline else None,
        )
        system = self._prompts.system(context)
        # Evidence is looked for in the job's own source text, even when the model read condensed notes of it.
        index = None if task.input.source_text is None else index_source(task.input.source_text)
        items = evidence_field(spec_of(task.artifact).model)
        schema = provider_schema(task.artifact, task.controls, self._dialect, grounded=index is not None)
        messages = [Message("user", self._prompts.artifact(task.artifact, context))]
        shared = self._prompts.shared(context)
        shared_prefix = len(shared) if shared and messages[0].text.startswith(shared) else 0
        max_output = output_budget(task.artifact, task.controls, self._max_output)
        thinking = thinking_budget(task.artifact, max_output)
        problems = ""
        usable: ArtifactModel | None = None  # a valid answer whose only fault is its length or its quotes
        for _ in range(self._max_reasks + 1):
            completion, seconds = await self._call(
                system,
                messages,
                schema,
                task.artifact.value,
                usage,
                max_output,
                shared_prefix=shared_prefix,
                thinking=thinking,
            )
            usage = usage + self._prices.usage(
                self.model, completion.input_tokens, completion.output_tokens, completion.cached_input_tokens
            )
            if completion.finish is Finish.REFUSAL:
                self._observe(task.artifact.value, "refused", seconds)
                raise PermanentGenerationError(
                    f"The model declined to write the {task.artifact.value}: {completion.refusal or 'refused'}.",
                    code="policy_refusal",
                    usage=usage,
                )
            truncated = completion.finish is Finish.LENGTH
            target: int | None = None
            written: int | None = None
            try:
                if truncated:
                    written = spoken_words(completion.text)
                    target = max(50, int(written * 0.7))  # a concrete length below where it was cut
                    raise OutputError(f"the answer was cut off at the output limit of {max_output} tokens")
                raw = parse_object(completion.text)
                quotes = take_quotes(raw, items) if items is not None else []
                content = validate_content(task.artifact, raw, task.controls)
                if items is not None and index is not None:
                    content, unsupported = _grounded(task.artifact, task.controls, content, items, quotes, index)
                    # A model that read condensed notes cannot quote the source word for word: its unsupported
                    # items are counted, not asked for again.
                    if unsupported and source == task.input.source_text:
                        usable = content
                        raise OutputError(_unsupported(items, unsupported))
                content, off = held_to_length(task.artifact, task.controls, content)
                if off is not None:
                    usable, (written, target) = content, off
                    raise OutputError(
                        f"the script has {written} spoken words, but {task.controls['minutes']} minutes need "
                        f"about {target} (within a quarter either way)"
                    )
            except (OutputError, ValidationError) as exc:
                self._observe(task.artifact.value, "invalid_output", seconds)
                problems = _describe(exc)
                reask = self._prompts.reask(
                    context, problems=problems, truncated=truncated, target_words=target, current_words=written
                )
                messages += [Message("assistant", completion.text or "(empty)"), Message("user", reask)]
                continue
            self._observe(task.artifact.value, "ok", seconds)
            return Generated(content=content, usage=usage)
        # The length or the quotes could not be met: the last valid answer stands, its minutes its own and its
        # unsupported items counted (``grounding``), never given evidence the source does not hold.
        if usable is not None:
            return Generated(content=usable, usage=usage)
        raise PermanentGenerationError(
            f"The model's {task.artifact.value} was still invalid after {self._max_reasks + 1} attempts: {problems}",
            code="invalid_output",
            usage=usage,
        )

    async def _call(
        self,
        system: str,
        messages: list[Message],
        schema: dict[str, Any] | None,
        name: str,
        spent: Usage,
        max_output: int | None = None,
        *,
        shared_prefix: int = 0,
        thinking: int = 0,
    ) -> tuple[Completion, float]:
        """One completion through the retry policy; failed attempts are observed here, the answered one by the
        caller once it knows whether the answer was usable."""
        elapsed = 0.0

        async def attempt() -> Completion:
            nonlocal elapsed
            started = time.perf_counter()
            try:
                return await self._client.complete(
                    system=system,
                    messages=list(messages),
                    schema=schema,
                    schema_name=name,
                    max_output_tokens=max_output or self._max_output,
                    shared_prefix=shared_prefix,
                    thinking_tokens=thinking,
                )
            except ProviderError as exc:
                self._observe(name, _outcome(exc), time.perf_counter() - started)
                raise
            finally:
                elapsed = time.perf_counter() - started

        try:
            completion = await self._policy.call(attempt)
        except GenerationError as exc:
            exc.usage = spent  # what earlier attempts of this artifact already cost
            raise
        finally:
            if self._metrics is not None:
                self._metrics.llm_circuit(provider=self.provider, is_open=self._policy.circuit_open)
        return completion, elapsed

    def _observe(self, artifact: str, outcome: LlmOutcome, seconds: float) -> None:
        if self._metrics is not None:
            self._metrics.llm_call(
                provider=self.provider, model=self.model, artifact=artifact, outcome=outcome, seconds=seconds
            )

    def _condense_part(self, request: GenerationInput) -> CondensePart:
        async def condense(chunk: str, part: int, parts: int) -> tuple[str, Usage]:
            context = PromptContext(language=request.language, topic=request.topic, source=chunk, focus=request.focus)
            target = max(100, len(chunk.split()) // 4)  # notes a quarter of the part's length
            completion, seconds = await self._call(
                self._prompts.system(context),
                [Message("user", self._prompts.condense(context, part=part, parts=parts, target_words=target))],
                notes_schema(self._dialect),
                "notes",
                Usage(),
            )
            used = self._prices.usage(
                self.model, completion.input_tokens, completion.output_tokens, completion.cached_input_tokens
            )
            self._observe("notes", "ok", seconds)
            try:
                notes = str(parse_object(completion.text)["notes"])
            except (OutputError, KeyError):
                # Plain text is still usable notes; only an empty answer loses the part.
                notes = completion.text.strip()
            if not notes:
                raise PermanentGenerationError(f"Condensing part {part} of {parts} returned nothing.", usage=used)
            if estimate_tokens(notes) >= estimate_tokens(chunk):
                notes = notes[: len(chunk) // 2]  # a model that did not condense must not stall the loop
            return notes, used

        return condense


def _grounded(
    artifact: ArtifactType,
    controls: dict[str, Any],
    content: ArtifactModel,
    items: str,
    quotes: list[list[str]],
    index: SourceIndex,
) -> tuple[ArtifactModel, list[int]]:
    """The content with each item's evidence found from its quotes, and the positions of items with none."""
    data = content.model_dump(mode="json")
    unsupported = attach(data[items], quotes, index)
    return validate_content(artifact, data, controls), unsupported


def _unsupported(items: str, positions: list[int]) -> str:
    listed = ", ".join(str(p + 1) for p in positions[:20])
    return (
        f"{items} {listed}: their quotes are not in the source material word for word. For each, copy one to "
        "three sentences exactly as they stand in the source (same words, same order) that support it; if the "
        "source does not support the item, replace the item with one it supports"
    )


def _outcome(exc: ProviderError) -> LlmOutcome:
    if exc.status == 429:
        return "rate_limited"
    if exc.status is not None and exc.status >= 500:
        return "server_error"
    return "timeout" if exc.status is None else "error"


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'the object'}: {err['msg']}" for err in exc.errors()[:8]
        )
    return str(exc)


def provider_spec(settings: Settings) -> ProviderSpec:
    """The provider ``CF_LLM_PROVIDER`` names, once its settings are complete; ``ConfigError`` otherwise."""
    spec = PROVIDERS.get(settings.llm_provider)
    if spec is None:
        known = ", ".join(["extractive", *PROVIDERS])
        raise ConfigError(
            f"CF_LLM_PROVIDER={settings.llm_provider!r} is not a known provider; the known ones are {known}."
        )
    lacking = spec.lacks(settings)
    if lacking is not None:
        raise ConfigError(lacking)
    return spec
