"""The request's controls act on the offline engine's artifacts, or say they don't: two runs compared."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from app.content.catalogue import ArtifactType, artifact_types, spec_of
from app.content.generator import GenerationInput, unused_controls
from app.content.models import Difficulty
from app.extractive import ExtractiveGenerator, analyse, build
from app.extractive.phrasebooks import phrasebook
from app.extractive.podcast import WORDS_PER_MINUTE
from tests.fixtures.samples import LONG, TEXTS, read

GERMAN = (TEXTS / "de" / "wasserkreislauf.txt").read_text(encoding="utf-8")


def made(
    text: str,
    artifact: ArtifactType,
    controls: dict[str, Any] | None = None,
    *,
    language: str = "en",
    difficulty: Difficulty | None = None,
    focus: str | None = None,
) -> dict[str, Any]:
    source = GenerationInput(topic=None, source_text=text, language=language, difficulty=difficulty, focus=focus)
    return build(artifact, analyse(text, language), {**spec_of(artifact).defaults(), **(controls or {})}, None, source)


def test_difficulty_puts_definitions_first_for_introductory_readers_and_blanks_first_for_advanced() -> None:
    text = read("photosynthesis")
    introductory = made(text, ArtifactType.FLASHCARDS, difficulty=Difficulty.INTRODUCTORY)["cards"]
    advanced = made(text, ArtifactType.FLASHCARDS, difficulty=Difficulty.ADVANCED)["cards"]
    assert introductory[0]["difficulty"] == "easy" and introductory[0]["front"].startswith("What ")
    assert advanced[0]["front"].startswith("Fill in the blank")
    assert Counter(c["difficulty"] for c in introductory)["easy"] > Counter(c["difficulty"] for c in advanced)["easy"]


def test_difficulty_changes_what_reading_questions_ask() -> None:
    text = read(LONG)
    kinds = {
        level: Counter(q["kind"] for q in made(text, ArtifactType.READING_QUESTIONS, difficulty=level)["questions"])
        for level in (Difficulty.INTRODUCTORY, Difficulty.ADVANCED)
    }
    assert kinds[Difficulty.INTRODUCTORY]["recall"] > kinds[Difficulty.ADVANCED]["recall"]
    assert kinds[Difficulty.ADVANCED]["evaluation"] > kinds[Difficulty.INTRODUCTORY]["evaluation"]
    for question in made(text, ArtifactType.READING_QUESTIONS, difficulty=Difficulty.ADVANCED)["questions"]:
        assert question["answer"] and question["passage"]


def test_focus_moves_what_matches_it_to_the_front() -> None:
    text = read("photosynthesis")
    plain = made(text, ArtifactType.FLASHCARDS)["cards"]
    focused = made(text, ArtifactType.FLASHCARDS, focus="stomata")["cards"]
    assert plain != focused
    assert "stomata" in (focused[0]["front"] + focused[0]["back"]).lower()
    assert "stomata" not in (plain[0]["front"] + plain[0]["back"]).lower()
    assert "stomata" in made(text, ArtifactType.ONE_PAGER, focus="stomata")["summary"]
    assert "stomata" not in made(text, ArtifactType.ONE_PAGER)["summary"]


def test_a_focus_the_text_never_mentions_changes_nothing() -> None:
    text = read("photosynthesis")
    assert made(text, ArtifactType.FAQ, focus="medieval castles") == made(text, ArtifactType.FAQ)


@pytest.mark.parametrize("minutes", [5, 10, 20])
def test_the_podcast_is_within_a_quarter_of_the_minutes_asked(minutes: int) -> None:
    script = made(read(LONG), ArtifactType.PODCAST_SCRIPT, {"minutes": minutes})
    spoken = sum(len(s["text"].split()) for s in script["segments"]) / WORDS_PER_MINUTE
    assert 0.75 * minutes <= spoken <= 1.25 * minutes, spoken
    assert script["estimated_minutes"] == round(spoken, 1)


def test_a_podcast_longer_than_the_text_allows_says_why_it_is_shorter() -> None:
    script = made(GERMAN, ArtifactType.PODCAST_SCRIPT, {"minutes": 60}, language="de")
    host = [s["text"] for s in script["segments"] if s["speaker"] == phrasebook("de").host]
    assert any("kürzer als die geplanten 60 Minuten" in line for line in host)
    assert script["estimated_minutes"] < 45


def test_unused_controls_are_named_per_artifact() -> None:
    engine = ExtractiveGenerator()
    source = GenerationInput(topic=None, source_text="x", audience="nurses", difficulty=Difficulty.ADVANCED)
    unused = {a: unused_controls(engine, a, source, spec_of(a).defaults()) for a in artifact_types()}
    assert all("audience" in names for names in unused.values())  # it quotes the text: it writes for no one
    assert "difficulty" in unused[ArtifactType.PODCAST_SCRIPT] and "difficulty" not in unused[ArtifactType.FAQ]
    assert "minutes" not in unused[ArtifactType.PODCAST_SCRIPT] and "count" not in unused[ArtifactType.FLASHCARDS]
    plain = GenerationInput(topic=None, source_text="x")
    assert unused_controls(engine, ArtifactType.FAQ, plain, {"count": 8}) == ()


def test_an_hour_of_podcast_on_a_long_text_keeps_every_turn_within_its_field() -> None:
    from app.content.catalogue import validate_content

    controls = {"minutes": 60}
    script = made(read(LONG), ArtifactType.PODCAST_SCRIPT, controls)
    validate_content(ArtifactType.PODCAST_SCRIPT, script, controls)  # no turn over 20,000 characters
