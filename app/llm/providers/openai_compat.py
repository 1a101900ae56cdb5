"""OpenAI, or any server that speaks its ``chat/completions`` protocol (vLLM, Ollama, llama.cpp, LiteLLM), through the
``openai`` SDK. Structured output is enforced with a strict ``json_schema`` response format. The SDK's own
retries are off: the generator's retry policy owns them.
"""

from __future__ import annotations

from typing import Any

import openai
from openai import AsyncOpenAI

from app.llm.providers.base import Completion, Finish, Message, ProviderError, is_transient_status, parse_retry_after


class OpenAIClient:
    def __init__(self, client: AsyncOpenAI, model: str, *, temperature: float) -> None:
        self._client = client
        self._model = model
        self._temperature = temperature

    @classmethod
    def open(
        cls, *, model: str, api_key: str | None, base_url: str | None, timeout: float, temperature: float
    ) -> OpenAIClient:
        # Local OpenAI-compatible servers take any key; the SDK insists on one.
        client = AsyncOpenAI(api_key=api_key or "unused", base_url=base_url, max_retries=0, timeout=timeout)
        return cls(client, model, temperature=temperature)

    @property
    def provider(self) -> str:
        return "openai"

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
        shared_prefix: int = 0,  # OpenAI caches a shared prefix of 1,024 tokens or more by itself
        thinking_tokens: int = 0,  # chat/completions has no thinking budget; reasoning counts in max_tokens
    ) -> Completion:
        chat: list[Any] = [{"role": "system", "content": system}]
        chat += [{"role": m.role, "content": m.text} for m in messages]
        extra: dict[str, Any] = {}
        if schema is not None:
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        try:
            response = await self._client.chat.completions.create(
                model=self._model,
                messages=chat,
                temperature=self._temperature,
                max_tokens=max_output_tokens,
                **extra,
            )
        except openai.APIStatusError as exc:
            raise ProviderError(
                f"OpenAI-compatible server answered {exc.status_code}: {_brief(exc)}",
                transient=is_transient_status(exc.status_code),
                status=exc.status_code,
                retry_after=parse_retry_after(exc.response.headers.get("retry-after")),
            ) from exc
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise ProviderError(f"OpenAI-compatible server unreachable: {type(exc).__name__}", transient=True) from exc
        if not response.choices:
            raise ProviderError("The server returned no choices.", transient=True)
        choice = response.choices[0]
        refusal = getattr(choice.message, "refusal", None)
        finish = {
            "stop": Finish.STOP,
            "length": Finish.LENGTH,
            "content_filter": Finish.REFUSAL,
        }.get(choice.finish_reason or "", Finish.OTHER)
        usage = response.usage
        details = getattr(usage, "prompt_tokens_details", None) if usage else None
        return Completion(
            text=choice.message.content or "",
            finish=Finish.REFUSAL if refusal else finish,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            refusal=refusal,
            cached_input_tokens=(getattr(details, "cached_tokens", None) or 0)
            if details
            else 0,  # automatic prefix cache
        )

    async def close(self) -> None:
        await self._client.close()


def _brief(exc: openai.APIStatusError) -> str:
    message = exc.message if isinstance(exc.message, str) else str(exc)
    return message[:300]
