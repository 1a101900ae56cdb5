"""Gemini through ``google-genai``: Vertex AI with Application Default Credentials, or the Gemini API with a key.
Structured output is enforced with ``response_schema``. The SDK's own retries are off (one attempt): the
generator's retry policy owns them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2  # google-genai's own HTTP client
from google import genai
from google.genai import errors, types

from app.llm.pricing import estimate_tokens
from app.llm.providers.base import Completion, Finish, Message, ProviderError, is_transient_status, parse_retry_after

log = logging.getLogger(__name__)

_REFUSALS = {
    types.FinishReason.SAFETY,
    types.FinishReason.PROHIBITED_CONTENT,
    types.FinishReason.BLOCKLIST,
    types.FinishReason.SPII,
    types.FinishReason.RECITATION,
}


# A cache that would lapse within this margin is not handed to a call: it could expire while the call waits.
_EXPIRY_MARGIN_SECONDS = 30.0
_MAX_CACHES = 256  # the openings this process remembers; the oldest are forgotten first


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str | None  # None: Gemini refused to cache this opening (too small for the model, or not allowed)
    expires: float  # on the monotonic clock


class ContextCache:
    """Explicit context caches of the openings calls share, one per opening, created once per process.

    Concurrent calls with the same opening wait for one creation. A refusal is remembered for the cache's
    lifetime, so an opening Gemini will not cache costs one failed request, not one per call."""

    def __init__(
        self,
        client: genai.Client,
        model: str,
        *,
        ttl_seconds: int,
        min_tokens: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._model = model
        self._ttl = ttl_seconds
        self._min_tokens = min_tokens
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._creating: dict[str, asyncio.Lock] = {}

    async def name_for(self, system: str, opening: str) -> str | None:
        """The cache holding ``system`` and ``opening``, created if need be; None where caching does not apply."""
        if self._ttl <= 0 or estimate_tokens(system) + estimate_tokens(opening) < self._min_tokens:
            return None
        key = hashlib.sha256(f"{self._model}\0{system}\0{opening}".encode("utf-8", "surrogatepass")).hexdigest()
        entry = self._fresh(key)
        if entry is not None:
            return entry.name
        lock = self._creating.setdefault(key, asyncio.Lock())
        async with lock:
            entry = self._fresh(key)
            if entry is None:
                entry = await self._create(system, opening)
                self._remember(key, entry)
        self._creating.pop(key, None)
        return entry.name

    def forget(self, name: str) -> None:
        """A cache Gemini no longer has (expired early, or deleted): the next call creates it again."""
        for key in [k for k, e in self._entries.items() if e.name == name]:
            del self._entries[key]

    async def close(self) -> None:
        """Delete the caches still alive, so their storage is not billed until they lapse."""
        names = [e.name for e in self._entries.values() if e.name and e.expires > self._clock()]
        self._entries.clear()
        for name in names:
            try:
                await self._client.aio.caches.delete(name=name)
            except (errors.APIError, httpx.TransportError, httpx2.TransportError) as exc:
                log.info("context cache %s not deleted (%s); it lapses by itself", name, type(exc).__name__)

    def _fresh(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.expires - _EXPIRY_MARGIN_SECONDS > self._clock():
            return entry
        return None

    async def _create(self, system: str, opening: str) -> _Entry:
        started = self._clock()
        config = types.CreateCachedContentConfig(
            system_instruction=system,
            contents=[types.Content(role="user", parts=[types.Part(text=opening)])],
            ttl=f"{self._ttl}s",
            display_name="content-factory source",
        )
        try:
            cached = await self._client.aio.caches.create(model=self._model, config=config)
        except errors.APIError as exc:
            log.info("Gemini declined a context cache (%s %s); calls send the source", exc.code, exc.status)
            return _Entry(None, started + self._ttl)
        except (httpx.TransportError, httpx2.TransportError) as exc:
            log.info("context cache not created (%s); calls send the source", type(exc).__name__)
            return _Entry(None, started + _EXPIRY_MARGIN_SECONDS * 2)  # a network fault: try again soon
        return _Entry(cached.name, started + self._ttl)

    def _remember(self, key: str, entry: _Entry) -> None:
        now = self._clock()
        for old in [k for k, e in self._entries.items() if e.expires <= now]:
            del self._entries[old]
        while len(self._entries) >= _MAX_CACHES:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = entry


class GeminiClient:
    def __init__(
        self,
        client: genai.Client,
        model: str,
        *,
        temperature: float,
        cache_seconds: int = 0,
        cache_min_tokens: int = 4_096,
        thinking: bool = True,
    ) -> None:
        self._client = client
        self._model = model
        self._temperature = temperature
        self._cache = ContextCache(client, model, ttl_seconds=cache_seconds, min_tokens=cache_min_tokens)
        self._thinking = thinking

    @classmethod
    def open(
        cls,
        *,
        model: str,
        api_key: str | None,
        vertexai: bool,
        project: str | None,
        location: str,
        base_url: str | None,
        timeout: float,
        temperature: float,
        cache_seconds: int = 0,
        cache_min_tokens: int = 4_096,
        thinking: bool = True,
    ) -> GeminiClient:
        options = types.HttpOptions(
            base_url=base_url,
            timeout=int(timeout * 1000),  # milliseconds
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        if vertexai:
            client = genai.Client(vertexai=True, project=project, location=location, http_options=options)
        else:
            client = genai.Client(api_key=api_key or "unused", http_options=options)
        return cls(
            client,
            model,
            temperature=temperature,
            cache_seconds=cache_seconds,
            cache_min_tokens=cache_min_tokens,
            thinking=thinking,
        )

    @property
    def provider(self) -> str:
        return "gemini"

    @property
    def model(self) -> str:
        return self._model

    async def complete(
        self,
        *,
        system: str,
        messages: list[Message],
        schema: dict[str, Any] | None,
        schema_name: str,
        max_output_tokens: int,
        shared_prefix: int = 0,
        thinking_tokens: int = 0,
    ) -> Completion:
        cache = None
        if shared_prefix and messages and messages[0].role == "user":
            cache = await self._cache.name_for(system, messages[0].text[:shared_prefix])
        if cache is not None:
            rest = [Message("user", messages[0].text[shared_prefix:]), *messages[1:]]
            try:
                return await self._generate(None, rest, schema, max_output_tokens, thinking_tokens, cache=cache)
            except ProviderError as exc:
                if exc.status not in (400, 403, 404):
                    raise
                # The cache lapsed or was deleted (Gemini answers 403 or 404), or it does not mix with this
                # request: forget it and send the whole prompt, which fails the same way if the fault is ours.
                self._cache.forget(cache)
        return await self._generate(system, messages, schema, max_output_tokens, thinking_tokens)

    async def _generate(
        self,
        system: str | None,
        messages: list[Message],
        schema: dict[str, Any] | None,
        max_output_tokens: int,
        thinking_tokens: int,
        *,
        cache: str | None = None,
    ) -> Completion:
        contents = [
            types.Content(role="model" if m.role == "assistant" else "user", parts=[types.Part(text=m.text)])
            for m in messages
        ]
        thinking = self._thinking and thinking_tokens > 0
        config = types.GenerateContentConfig(
            system_instruction=system,
            cached_content=cache,
            temperature=self._temperature,
            # Gemini counts thinking in the output tokens: the budget is added, so the answer keeps its own.
            max_output_tokens=max_output_tokens + (thinking_tokens if thinking else 0),
            thinking_config=types.ThinkingConfig(thinking_budget=thinking_tokens) if thinking else None,
            response_mime_type="application/json" if schema is not None else None,
            response_schema=schema,
        )
        try:
            response = await self._client.aio.models.generate_content(
                model=self._model, contents=contents, config=config
            )
        except errors.APIError as exc:
            headers = getattr(exc.response, "headers", None)  # an httpx or httpx2 response, by SDK version
            retry_after = parse_retry_after(headers.get("retry-after")) if headers is not None else None
            raise ProviderError(
                f"Gemini answered {exc.code}: {str(exc.message or exc.status)[:300]}",
                transient=is_transient_status(exc.code),
                status=exc.code,
                retry_after=retry_after,
            ) from exc
        except (httpx.TransportError, httpx2.TransportError) as exc:
            raise ProviderError(f"Gemini unreachable: {type(exc).__name__}", transient=True) from exc
        usage = response.usage_metadata
        input_tokens = (usage.prompt_token_count or 0) if usage else 0
        cached = (usage.cached_content_token_count or 0) if usage else 0  # explicit or implicit cache
        # Thinking is billed as output: counted with it, so usage and cost tell the truth.
        output_tokens = ((usage.candidates_token_count or 0) + (usage.thoughts_token_count or 0)) if usage else 0
        if not response.candidates:
            blocked = response.prompt_feedback.block_reason if response.prompt_feedback else None
            if blocked:
                return Completion("", Finish.REFUSAL, input_tokens, output_tokens, refusal=f"prompt blocked: {blocked}")
            raise ProviderError("Gemini returned no candidates.", transient=True)
        candidate = response.candidates[0]
        reason = candidate.finish_reason
        text = "".join(p.text or "" for p in (candidate.content.parts or [])) if candidate.content else ""
        if reason in _REFUSALS:
            return Completion(text, Finish.REFUSAL, input_tokens, output_tokens, refusal=f"finish reason {reason}")
        finish = {types.FinishReason.STOP: Finish.STOP, types.FinishReason.MAX_TOKENS: Finish.LENGTH}.get(
            reason or types.FinishReason.STOP, Finish.OTHER
        )
        return Completion(text, finish, input_tokens, output_tokens, cached_input_tokens=cached)

    async def close(self) -> None:
        await self._cache.close()
        await self._client.aio.aclose()
