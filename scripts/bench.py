"""``make bench``: the offline engine per artifact on a 5,000-word text, a whole job (every artifact type) in process,
and the read route's throughput beside a bare FastAPI route. Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import shutil
import statistics
import string
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from app.config import ModelPrice, Settings
from app.content.catalogue import ArtifactOptions, ArtifactType, artifact_types
from app.content.generator import GenerationInput, GenerationTask
from app.content.models import Outline
from app.extractive import ExtractiveGenerator, analyse
from app.extractive.engine import ADMISSION_CHARS, admission_shortfalls
from app.main import create_app
from loadtests import read_throughput
from tests.fakellm import FakeLLM, Mode

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"
KEY = "cf_bench_key_abcdefghijklmnopqrstuvwxyz0123456789ABCD"
LLM_LATENCY = 0.3
# The bench polls as fast as it can: the limiter runs on every request but never refuses one.
UNLIMITED: dict[str, Any] = {
    "rate_limit_per_ip": "1000000/second",
    "rate_limit_per_key": "1000000/second",
    "rate_limit_reads": "1000000/second",
}


def _varied(n: int) -> str:
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(5_000)]
    sentences: list[str] = []
    while sum(map(len, sentences)) < n:
        sentences.append(" ".join(rng.choices(vocabulary, k=rng.randint(4, 12))).capitalize() + ". ")
    return "".join(sentences)[:n]


# Texts an attacker might send (``POST /v1/jobs`` analyses the source before it answers).
HARD_SHAPES: dict[str, Callable[[int], str]] = {
    "short sentences": lambda n: ("Cells divide. " * (n // 14 + 1))[:n],
    "abbreviations": lambda n: ("Dr. Smith et al. e.g. Mr. J. K. Rowling vs. etc. " * (n // 49 + 1))[:n],
    "one giant sentence": lambda n: ("word " * (n // 5 + 1))[:n],
    "one line per phrase": lambda n: ("Short line\n" * (n // 11 + 1))[:n],
    "random vocabulary": _varied,
}


def cpu_seconds(work: Callable[[str], object], text: str) -> float:
    start = time.process_time()
    work(text)
    return time.process_time() - start


def long_text() -> str:
    texts = sorted(TEXTS.glob("*.txt"), key=lambda p: len(p.read_text().split()))
    return texts[-1].read_text()


async def engine_once(text: str) -> dict[str, float]:
    """Seconds per artifact, outline first. Each round's text is new, so the first artifact pays the analysis."""
    engine = ExtractiveGenerator()
    request = GenerationInput(topic=None, source_text=text)
    options = ArtifactOptions()
    timings: dict[str, float] = {}
    outline: Outline | None = None
    for artifact in artifact_types():
        task = GenerationTask(artifact, request, options.for_type(artifact), outline)
        start = time.perf_counter()
        generated = await engine.generate(task)
        timings[artifact.value] = time.perf_counter() - start
        if artifact is ArtifactType.OUTLINE:
            assert isinstance(generated.content, Outline)
            outline = generated.content
    return timings


async def job_once(text: str, tmp: Path, n: int) -> float:
    """Wall time from POST to a succeeded job of every artifact type, over ASGI in this process."""
    settings = Settings(sqlite_path=tmp / f"job{n}.db", bootstrap_admin_key=KEY, environment="test", **UNLIMITED)
    return await timed_job(create_app(settings), text)


async def timed_job(app: FastAPI, text: str) -> float:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers={"X-API-Key": KEY}
        ) as client:
            start = time.perf_counter()
            job = (await client.post("/v1/jobs", json={"source_text": text})).json()
            while True:
                status = (await client.get(f"/v1/jobs/{job['id']}")).json()["status"]
                if status in {"succeeded", "partial", "failed"}:
                    break
                await asyncio.sleep(0.001)
            elapsed = time.perf_counter() - start
            if status != "succeeded":
                raise RuntimeError(f"bench job ended {status}")
            return elapsed


async def llm_job(text: str, tmp: Path, fake: FakeLLM, concurrency: int, n: int) -> float:
    """Wall time of a job of every artifact type on the OpenAI protocol, the fake server answering after its latency."""
    settings = Settings(
        sqlite_path=tmp / f"llm{concurrency}-{n}.db",
        bootstrap_admin_key=KEY,
        environment="test",
        llm_provider="openai",
        llm_model="bench-model",
        llm_prices={"bench-model": ModelPrice(input=0.3, output=2.5)},  # a price, so no warning per step
        llm_base_url=fake.openai_url,
        step_concurrency=concurrency,
        **UNLIMITED,
    )
    return await timed_job(create_app(settings), f"{text}\n\nRun {concurrency}-{n}.")


async def main(rounds: int, throughput_seconds: int) -> None:
    logging.disable(logging.INFO)  # the in-process apps' access lines would bury the figures
    text = long_text()
    print(f"Offline engine on a {len(text.split()):,}-word text, median of {rounds} cold runs (seconds):")
    runs = [await engine_once(f"{text}\n\nRound {n}.") for n in range(rounds)]
    for artifact in artifact_types():
        print(f"  {artifact.value:<20} {statistics.median(r[artifact.value] for r in runs):8.4f}")
    totals = [sum(r.values()) for r in runs]
    print(f"  {f'all {len(artifact_types())}':<20} {statistics.median(totals):8.4f}   (target < 1.0 s)")

    print("\nText analysis (the admission check's work) on hard shapes, CPU seconds at 50,000 and 200,000 characters:")
    for shape, make in HARD_SHAPES.items():
        small, large = (cpu_seconds(analyse, f"{make(n)} {shape}") for n in (50_000, 200_000))
        print(f"  {shape:<22} {small:7.3f} {large:7.3f}   growth {large / max(small, 1e-6):5.1f}x (linear: 4x)")

    print(
        "\nAdmission check (before the 202; it reads at most the first "
        f"{ADMISSION_CHARS:,} characters) at 200,000 characters, CPU seconds, beside the full analysis:"
    )
    every = tuple(artifact_types())
    for shape, make in HARD_SHAPES.items():
        text_200k = f"{shape} admitted. {make(200_000)}"
        check = cpu_seconds(lambda t: admission_shortfalls(t, every, ArtifactOptions()), text_200k)
        full = cpu_seconds(analyse, text_200k)
        print(f"  {shape:<22} check {check:7.3f}   full {full:7.3f}   ratio {check / max(full, 1e-6):5.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        # Each job gets its own store and a distinct text, so nothing comes from a cache.
        walls = [await job_once(f"{text}\n\nRun {n}.", Path(tmp), n) for n in range(rounds)]
    kinds = len(artifact_types())
    wall = statistics.median(walls)
    print(f"\nJob of {kinds} artifacts in process (POST to succeeded), median of {rounds}: {wall:.3f} s")

    with tempfile.TemporaryDirectory() as tmp, FakeLLM(default=Mode.SLOW, latency=LLM_LATENCY) as fake:
        article = sorted(TEXTS.glob("*.txt"))[0].read_text()
        one = [await llm_job(article, Path(tmp), fake, 1, n) for n in range(rounds)]
        four = [await llm_job(article, Path(tmp), fake, 4, n) for n in range(rounds)]
    print(f"\nJob of {kinds} artifacts on a provider answering in {LLM_LATENCY} s (fake server, OpenAI API), median:")
    print(f"  steps one at a time (baseline)  {statistics.median(one):8.3f} s")
    print(f"  CF_STEP_CONCURRENCY=4           {statistics.median(four):8.3f} s")
    print(f"  speed-up                        {statistics.median(one) / statistics.median(four):8.2f}x")

    if shutil.which("wrk") is None:
        print("\nRead throughput: skipped (wrk is not installed)")
        return
    pairs = 5
    print(f"\nRead throughput, one uvicorn worker each, wrk -c16, {pairs} pairs of {throughput_seconds}s runs in turn:")
    result = read_throughput.run(seconds=throughput_seconds, rounds=pairs)
    print(f"  GET /v1/jobs/{{id}}          {result['job_read_rps']:8.0f} req/s (median)")
    print(f"    with If-None-Match (304)  {result['conditional_rps']:8.0f} req/s (median)")
    print(f"  GET /hello (bare, baseline) {result['hello_rps']:8.0f} req/s (median)")
    print(f"  ratio, median of the rounds {result['ratio']:8.2f}   (target >= 0.50)")
    print(f"  ratio with If-None-Match    {result['conditional_ratio']:8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--throughput-seconds", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.throughput_seconds))
