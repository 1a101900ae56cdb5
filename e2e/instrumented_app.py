"""The service with its extractive engine instrumented for end-to-end tests, configured by environment:

    E2E_GENERATION_LOG   file; one line per completed generation (the artifact), appended by every process
    E2E_ATTEMPT_LOG      file; one line per generation attempt
    E2E_STEP_DELAY       seconds each generation takes (default 0)
    E2E_SLOW             "study_guide:3": seconds the given artifacts' generations take instead
    E2E_TRANSIENT        "faq:2,flashcards:1": the first N attempts of an artifact fail transiently
    E2E_DIE_ON           an artifact: the process exits in the middle of its first attempt
    E2E_CHECK_CRASH      a word: the admission check raises an unexpected error on a source containing it

Counts come from the logs, so they hold across processes and restarts.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI

from app.content.catalogue import ArtifactOptions, ArtifactType
from app.content.generator import Generated, GenerationInput, GenerationTask, TransientGenerationError
from app.extractive import ExtractiveGenerator
from app.main import create_app


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _append(path: Path, line: str) -> None:
    with path.open("a") as log:  # one short O_APPEND write: safe across processes
        log.write(f"{line}\n")


class InstrumentedGenerator:
    def __init__(self) -> None:
        self._inner = ExtractiveGenerator()
        self.provider = self._inner.provider
        self.model = self._inner.model
        self.prompt_version = self._inner.prompt_version
        self._done = Path(os.environ["E2E_GENERATION_LOG"])
        self._attempts = Path(os.environ.get("E2E_ATTEMPT_LOG", f"{self._done}.attempts"))
        self._delay = float(os.environ.get("E2E_STEP_DELAY", "0"))
        slow = os.environ.get("E2E_SLOW", "")
        self._slow = {k: float(v) for k, v in (p.split(":") for p in slow.split(",") if p)}
        spec = os.environ.get("E2E_TRANSIENT", "")
        self._transient = {k: int(v) for k, v in (p.split(":") for p in spec.split(",") if p)}
        self._die_on = os.environ.get("E2E_DIE_ON")
        self._check_crash = os.environ.get("E2E_CHECK_CRASH")

    async def check(
        self, request: GenerationInput, artifacts: Sequence[ArtifactType], options: ArtifactOptions
    ) -> None:
        if self._check_crash and self._check_crash in (request.source_text or ""):
            raise RuntimeError("the admission check broke")  # a bug, as far as the service can tell
        await self._inner.check(request, artifacts, options)

    def honoured(self, artifact: ArtifactType) -> frozenset[str]:
        return self._inner.honoured(artifact)

    async def generate(self, task: GenerationTask) -> Generated:
        name = task.artifact.value
        _append(self._attempts, name)
        attempt = _lines(self._attempts).count(name)
        await asyncio.sleep(self._slow.get(name, self._delay))
        if name == self._die_on and attempt == 1:
            os._exit(17)  # killed mid-step: no cleanup, the step stays claimed
        if attempt <= self._transient.get(name, 0):
            raise TransientGenerationError(f"injected transient failure {attempt}", code="provider_unavailable")
        generated = await self._inner.generate(task)
        _append(self._done, name)
        return generated


def create_instrumented_app() -> FastAPI:
    return create_app(generator=InstrumentedGenerator())
