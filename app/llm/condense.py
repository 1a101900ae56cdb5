"""Long sources: when a source exceeds the model's input budget it is condensed in chunks (map), and the notes
stand in for it in every prompt (the outline is the reduce step). Nothing is truncated silently.

The notes are cached by source, engine and prompt version, single-flight like artifacts, so the steps of one
job — on any instance — condense a source once.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable

from app.content.cache import ArtifactCache, CacheValue
from app.content.generator import Usage
from app.llm.pricing import estimate_tokens

CondensePart = Callable[[str, int, int], Awaitable[tuple[str, Usage]]]

_PARALLEL_PARTS = 4
_MAX_ROUNDS = 4


def split(text: str, max_tokens: int) -> list[str]:
    """Chunks of at most about ``max_tokens``, cut at paragraph, then sentence, then word boundaries."""
    limit = max(1, max_tokens) * 4
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if len(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
            while len(sentence) > limit:
                cut = sentence.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                pieces.append(sentence[:cut])
                sentence = sentence[cut:].lstrip()
            pieces.append(sentence)
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + len(piece) + 2 > limit:
            chunks.append(current)
            current = piece
        else:
            current = f"{current}\n\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


class Condenser:
    def __init__(self, cache: ArtifactCache | None, *, engine: str) -> None:
        self._cache = cache
        self._engine = engine

    async def fit(self, source: str, budget: int, condense_part: CondensePart) -> tuple[str, Usage]:
        """The source, or notes of it that fit ``budget`` tokens, and what condensing cost."""
        if estimate_tokens(source) <= budget:
            return source, Usage()
        spent = Usage()

        async def compute() -> CacheValue:
            nonlocal spent
            text = source
            for _ in range(_MAX_ROUNDS):
                if estimate_tokens(text) <= budget:
                    break
                text, used = await self._round(text, budget, condense_part)
                spent = spent + used
            return {"notes": text}

        key = f"cf:condensed:{hashlib.sha256(source.encode()).hexdigest()}:{self._engine}:{budget}"
        if self._cache is None:
            value = await compute()
        else:
            value, _ = await self._cache.get_or_create(key, compute)
        return str(value["notes"]), spent

    async def _round(self, text: str, budget: int, condense_part: CondensePart) -> tuple[str, Usage]:
        chunks = split(text, budget // 2)
        slots = asyncio.Semaphore(_PARALLEL_PARTS)

        async def one(index: int, chunk: str) -> tuple[str, Usage]:
            async with slots:
                return await condense_part(chunk, index + 1, len(chunks))

        results = await asyncio.gather(*(one(i, c) for i, c in enumerate(chunks)))
        used = Usage()
        for _, usage in results:
            used = used + usage
        return "\n\n".join(notes for notes, _ in results), used
