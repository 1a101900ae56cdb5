"""The podcast rendered once with espeak-ng for the tests that measure it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.audio import Audio, EspeakSpeech, render
from tests.audio.scripts import photosynthesis


@pytest.fixture(scope="session")
def espeak_podcast(tmp_path_factory: pytest.TempPathFactory) -> tuple[Audio, Path]:
    """The rendered audio and the MP3 written to a file for ffprobe and ffmpeg."""

    async def make() -> Audio:
        return await render(photosynthesis(), await EspeakSpeech.create(), language="en")

    audio = asyncio.run(make())
    path = tmp_path_factory.mktemp("audio") / f"podcast.{audio.extension}"
    path.write_bytes(audio.data)
    return audio, path
