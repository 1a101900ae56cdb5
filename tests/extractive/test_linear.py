"""The offline engine's work grows linearly with the text, whatever its shape.

Work is counted in Python bytecode instructions executed (``sys.settrace`` opcode events), which is exact and the
same on every run, rather than in time. At four times the text, linear work is about four times as much; the
bound below leaves room for the constant parts and fails on anything quadratic (sixteen times). Work inside one
call into C (a regular expression's scan) counts once here, so the modules keep every such call to a local window
of the text (the sentence splitter reads back only to the previous space); ``make bench`` prints the CPU time of
the whole analysis on these shapes at two sizes.
"""

from __future__ import annotations

import random
import string
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from app.extractive import analyse
from app.extractive.lexicon import lemma
from app.extractive.text import split_sentences

SMALL, LARGE = 5_000, 20_000
BOUND = 6.0  # LARGE / SMALL is 4


def _varied(n: int) -> str:
    rng = random.Random(3)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 9))) for _ in range(2_000)]
    sentences: list[str] = []
    while sum(map(len, sentences)) < n:
        sentences.append(" ".join(rng.choices(vocabulary, k=rng.randint(4, 12))).capitalize() + ". ")
    return "".join(sentences)[:n]


SHAPES: dict[str, Callable[[int], str]] = {
    "many short sentences": lambda n: "".join(f"Cell {i} divides. " for i in range(n // 16))[:n],
    "abbreviations and initials": lambda n: ("Dr. Smith et al. wrote e.g. Mr. J. K. Rowling vs. Co. " * n)[:n],
    "one giant sentence": lambda n: ("word " * n)[:n],
    "no spaces at all": lambda n: "a." * (n // 2),
    "a line per phrase": lambda n: ("Short heading line\n" * n)[:n],
    "no blank lines, many stops": lambda n: ("A b. C d. " * n)[:n],
    "random vocabulary": _varied,
}


def opcodes(work: Callable[[str], object], text: str) -> int:
    counted = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal counted
        frame.f_trace_opcodes = True
        if event == "opcode":
            counted += 1
        return tracer

    lemma.cache_clear()  # each measurement starts from nothing
    sys.settrace(tracer)
    try:
        work(text)
    finally:
        sys.settrace(None)
    return counted


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("work", [split_sentences, analyse], ids=["split", "analyse"])
def test_work_grows_linearly_with_the_text(shape: str, work: Callable[[str], object]) -> None:
    make = SHAPES[shape]
    small = opcodes(work, make(SMALL) + f" {shape} small")
    large = opcodes(work, make(LARGE) + f" {shape} large")
    assert large <= BOUND * max(small, 1), f"{shape}: {small:,} then {large:,} instructions"
