"""Sample texts for the extractive engine's tests (tests/fixtures/texts), and texts built from them."""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path

from app.content.models import Difficulty
from app.llm.generator import GenerationInput

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"
ARTICLES = ("photosynthesis", "french_revolution", "tcp_congestion_control", "plate_tectonics")
LONG = "immune_system"  # about 5,000 words, with headings
ALL = (*ARTICLES, LONG)

# Terms a reader would expect any summary of each text to mention.
DISTINCTIVE = {
    "photosynthesis": ("photosynthesis", "chlorophyll", "calvin cycle", "carbon dioxide", "atp"),
    "french_revolution": ("french revolution", "third estate", "national assembly", "reign of terror"),
    "tcp_congestion_control": ("congestion window", "slow start", "congestion avoidance", "fast retransmit"),
    "plate_tectonics": ("plate tectonics", "lithosphere", "subduction", "convergent boundary"),
    LONG: ("immune system", "antibody", "innate immunity", "adaptive immunity", "vaccination"),
}


@cache
def read(name: str) -> str:
    return (TEXTS / f"{name}.txt").read_text(encoding="utf-8")


def request(
    text: str | None, *, topic: str | None = None, language: str = "en", difficulty: Difficulty | None = None
) -> GenerationInput:
    return GenerationInput(topic=topic, source_text=text, language=language, difficulty=difficulty)


@cache
def huge_text(size: int = 200_000) -> str:
    """A text of ``size`` characters whose sentences are all distinct (numbered notes make repeats unique)."""
    counter = itertools.count(1)
    paragraphs: list[str] = []
    length = 0
    while length < size:
        for name in ALL:
            for paragraph in read(name).split("\n\n"):
                numbered = re.sub(r"\. ", lambda _: f" (note {next(counter)}). ", paragraph.strip())
                paragraphs.append(numbered)
                length += len(numbered) + 2
    return "\n\n".join(paragraphs)[:size]


def flat(text: str) -> str:
    """Text with all runs of white space made single spaces, for substring checks."""
    return " ".join(text.split())
