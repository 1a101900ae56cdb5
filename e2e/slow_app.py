"""The service with its extractive engine slowed down and its completed generations logged, so an
end-to-end test can kill the server in the middle of a job and count what was generated."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from app.content.catalogue import ArtifactOptions, ArtifactType
from app.content.extractive import ExtractiveGenerator
from app.llm.generator import Generated, GenerationInput, GenerationTask
from app.main import create_app


class SlowLoggedGenerator:
    def __init__(self, delay: float, log: Path) -> None:
        self._inner = ExtractiveGenerator()
        self._delay = delay
        self._log = log
        self.provider = self._inner.provider
        self.model = self._inner.model
        self.prompt_version = self._inner.prompt_version

    async def check(
        self, request: GenerationInput, artifacts: Sequence[ArtifactType], options: ArtifactOptions
    ) -> None:
        await self._inner.check(request, artifacts, options)

    async def generate(self, task: GenerationTask) -> Generated:
        await asyncio.sleep(self._delay)
        generated = await self._inner.generate(task)
        with self._log.open("a") as log:
            log.write(f"{task.artifact.value}\n")
        return generated


def create_slow_app() -> FastAPI:
    delay = float(os.environ["E2E_STEP_DELAY"])
    return create_app(generator=SlowLoggedGenerator(delay, Path(os.environ["E2E_GENERATION_LOG"])))
