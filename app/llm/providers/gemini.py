"""Gemini through ``google-genai``: Vertex AI with Application Default Credentials, or the Gemini API with a key.
Structured output is enforced with ``response_schema``. The SDK's own retries are off (one attempt): the
generator's retry policy owns them.
"""

from __future__ import annotations

from typing import Any

import httpx
import httpx2  # google-genai's own HTTP client
from google import genai
from google.genai import errors, types

from app.llm.providers.base import Completion, Finish, Message, ProviderError, is_transient_status, parse_retry_after

_REFUSALS = {
    types.FinishReason.SAFETY,
    types.FinishReason.PROHIBITED_CONTENT,
    types.FinishReason.BLOCKLIST,
    types.FinishReason.SPII,
    types.FinishReason.RECITATION,
}


class GeminiClient:
    def __init__(self, client: genai.Client, model: str, *, temperature: float) -> None:
        self._client = client
        self._model = model
        self._temperature = temperature

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
        return cls(client, model, temperature=temperature)

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
    ) -> Completion:
        contents = [
            types.Content(role="model" if m.role == "assistant" else "user", parts=[types.Part(text=m.text)])
            for m in messages
        ]
        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=self._temperature,
            max_output_tokens=max_output_tokens,
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
        cached = (usage.cached_content_token_count or 0) if usage else 0  # Gemini's implicit cache
        output_tokens = (usage.candidates_token_count or 0) if usage else 0
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
        await self._client.aio.aclose()
