"""The artifact cache port and its key.

The key names everything the artifact depends on: the normalised input, the artifact, its controls, the
language and other request fields, the outline it derives from, the engine and the prompt version. Adapters:
in-process TTL cache (embedded) and Redis (production). ``get_or_create`` is single-flight: identical steps
running at once compute the value once.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from app.content.catalogue import ArtifactType
from app.content.generator import GenerationInput

CacheValue = dict[str, Any]
Factory = Callable[[], Awaitable[CacheValue]]


class ArtifactCache(Protocol):
    async def get_or_create(self, key: str, factory: Factory) -> tuple[CacheValue, bool]:
        """The cached value, or the factory's (stored); the flag says whether it came from the cache.

        A failing factory stores nothing and its error reaches the caller.
        """
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


def normalise(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFC", text).split())


def cache_key(
    *,
    artifact: ArtifactType,
    request: GenerationInput,
    controls: dict[str, Any],
    outline: dict[str, Any] | None,
    provider: str,
    model: str,
    prompt_version: str,
) -> str:
    material = {
        "artifact": artifact.value,
        "topic": normalise(request.topic),
        "source": normalise(request.source_text),
        "language": request.language.lower(),
        "audience": normalise(request.audience),
        "difficulty": request.difficulty.value if request.difficulty else None,
        "focus": normalise(request.focus),
        "controls": controls,
        "outline": outline,
        "engine": [provider, model, prompt_version],
    }
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"cf:artifact:{artifact.value}:{digest}"
