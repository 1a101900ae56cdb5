"""Ten hard 200,000-character sources posted at once to a real uvicorn process: the server keeps answering
another client's polls while it works through them, and each post is answered in the envelope."""

from __future__ import annotations

import asyncio
import random
import string
import time
from pathlib import Path

import httpx
import pytest

from e2e.conftest import KEY
from e2e.server import Server

pytestmark = pytest.mark.e2e

LIMIT = 200_000
TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"


def _hard(n: int) -> str:
    """A mix of the shapes that cost the most: distinct words, many short sentences, abbreviations."""
    rng = random.Random(n)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(3_000)]
    parts: list[str] = []
    size = 0
    while size < LIMIT:
        kind = rng.random()
        if kind < 0.6:
            part = " ".join(rng.choices(vocabulary, k=rng.randint(4, 12))).capitalize() + ". "
        elif kind < 0.8:
            part = "Dr. J. K. Smith et al. e.g. "
        else:
            part = "Cells divide. "
        parts.append(part)
        size += len(part)
    return "".join(parts)[:LIMIT]


async def test_polls_are_answered_while_ten_hard_sources_are_analysed(tmp_path: Path) -> None:
    env = {
        "CF_SQLITE_PATH": str(tmp_path / "hard.db"),
        "CF_BOOTSTRAP_ADMIN_KEY": KEY,
        "CF_ENVIRONMENT": "test",
        "CF_RATE_LIMIT_PER_IP": "1000/minute",
        "CF_RATE_LIMIT_PER_KEY": "1000/minute",
        "CF_STEP_CONCURRENCY": "1",
    }
    server = Server(env, tmp_path / "server.log")
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, headers={"X-API-Key": KEY}, timeout=120) as client:
            mine = await client.post("/v1/jobs", json={"source_text": TEXTS.joinpath("photosynthesis.txt").read_text()})
            assert mine.status_code == 202, mine.text
            job_url = mine.headers["location"]
            answered: list[float] = []
            posts_done: list[float] = []

            async def post(n: int) -> int:
                response = await client.post("/v1/jobs", json={"source_text": _hard(n)})
                posts_done.append(time.monotonic())
                assert response.headers["content-type"].startswith("application/json")
                return response.status_code

            async def poll() -> None:
                while len(posts_done) < 10:
                    response = await client.get(job_url)
                    assert response.status_code == 200
                    answered.append(time.monotonic())

            statuses, _ = await asyncio.gather(asyncio.gather(*(post(n) for n in range(10))), poll())
    finally:
        server.stop()
    assert set(statuses) <= {202, 422}, statuses
    # The other client was served all along: polls completed before the last post was answered.
    assert sum(1 for moment in answered if moment < max(posts_done)) >= 5
