"""The model providers: one ``ProviderSpec`` each, in ``PROVIDERS``, behind one small protocol (``ProviderClient``).

A provider declares its name (the value of ``CF_LLM_PROVIDER``), the schema dialect its structured output takes,
its default model, what it needs from the settings, and how it opens its client. Each SDK takes a second or more
to import, so ``open`` imports only the configured one (cold starts on Cloud Run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.config import Settings
from app.llm.providers.base import ProviderClient
from app.llm.schema import Dialect


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    name: str
    dialect: Dialect
    default_model: str
    open: Callable[[Settings, str], ProviderClient]  # the settings and the model
    lacks: Callable[[Settings], str | None]  # what the settings must still give, or None


def _open_gemini(settings: Settings, model: str) -> ProviderClient:
    from app.llm.providers.gemini import GeminiClient

    return GeminiClient.open(
        model=model,
        api_key=settings.gemini_api_key.get_secret_value() if settings.gemini_api_key else None,
        vertexai=settings.google_genai_use_vertexai,
        project=settings.google_cloud_project,
        location=settings.google_cloud_location,
        base_url=settings.llm_base_url,
        timeout=settings.llm_timeout_seconds,
        temperature=settings.llm_temperature,
        cache_seconds=settings.llm_context_cache_seconds,
        cache_min_tokens=settings.llm_context_cache_min_tokens,
        thinking=settings.llm_thinking == "sized",
    )


def _gemini_lacks(settings: Settings) -> str | None:
    if not (settings.gemini_api_key or settings.google_genai_use_vertexai or settings.llm_base_url):
        return (
            "CF_LLM_PROVIDER=gemini needs GEMINI_API_KEY, or GOOGLE_GENAI_USE_VERTEXAI=true with "
            "GOOGLE_CLOUD_PROJECT (Application Default Credentials)"
        )
    if settings.google_genai_use_vertexai and not settings.google_cloud_project:
        return "GOOGLE_GENAI_USE_VERTEXAI=true needs GOOGLE_CLOUD_PROJECT"
    return None


def _open_openai(settings: Settings, model: str) -> ProviderClient:
    from app.llm.providers.openai_compat import OpenAIClient

    return OpenAIClient.open(
        model=model,
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        base_url=settings.llm_base_url or settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        temperature=settings.llm_temperature,
    )


def _openai_lacks(settings: Settings) -> str | None:
    if not (settings.openai_api_key or settings.llm_base_url or settings.openai_base_url):
        return (
            "CF_LLM_PROVIDER=openai needs OPENAI_API_KEY, or CF_LLM_BASE_URL / OPENAI_BASE_URL for a local "
            "OpenAI-compatible server"
        )
    return None


PROVIDERS: dict[str, ProviderSpec] = {
    spec.name: spec
    for spec in (
        ProviderSpec("gemini", "gemini", "gemini-2.5-flash", _open_gemini, _gemini_lacks),
        ProviderSpec("openai", "openai", "gpt-4o-mini", _open_openai, _openai_lacks),
    )
}
