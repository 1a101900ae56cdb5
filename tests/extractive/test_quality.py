"""Every fixture text, in every served language, builds every artifact without a defect the rules of
``make quality`` can detect: no markup or code, no standalone sentence that opens by referring back, no
repeated host line, no blank on a stopword, number or unit, no reading question without answer and passage, no
quiz question without its answer among the options, with two forms of one option, or with its answer in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.catalogue import ArtifactOptions, artifact_types
from app.content.generator import GenerationInput
from app.extractive import ExtractiveGenerator
from app.extractive.language import SERVED, detect
from app.extractive.phrasebooks import phrasebook
from scripts.quality import TEXTS, build_all, fixture_texts, survey_one

FIXTURES = fixture_texts()


def test_every_served_language_has_fixture_texts() -> None:
    assert {language for _, language in FIXTURES} >= set(SERVED)


@pytest.mark.parametrize(("path", "language"), FIXTURES, ids=[str(p.relative_to(TEXTS)) for p, _ in FIXTURES])
async def test_no_detectable_defect_in_any_artifact(path: Path, language: str) -> None:
    result = await survey_one(str(path.relative_to(TEXTS)), path.read_text(encoding="utf-8"), language)
    assert result.skipped is None, result.skipped
    assert result.failed == ()
    assert [f"{d.artifact}.{d.field} [{d.rule}] {d.text}" for d in result.defects] == []


@pytest.mark.parametrize(
    ("path", "language"),
    [(p, lang) for p, lang in FIXTURES if lang != "en"],
    ids=[str(p.relative_to(TEXTS)) for p, lang in FIXTURES if lang != "en"],
)
async def test_a_text_in_another_language_gets_every_artifact_in_that_language(path: Path, language: str) -> None:
    text = path.read_text(encoding="utf-8")
    engine = ExtractiveGenerator()
    source = GenerationInput(topic=None, source_text=text, language=language)
    await engine.check(source, artifact_types(), ArtifactOptions())
    artifacts, failed = await build_all(engine, source)
    assert failed == [] and set(artifacts) == {a.value for a in artifact_types()}
    book = phrasebook(language)
    ours = [
        *artifacts["outline"]["learning_objectives"],
        *(card["front"] for card in artifacts["flashcards"]["cards"]),
        *(item["question"] for item in artifacts["faq"]["items"]),
        *(q["question"] for q in artifacts["reading_questions"]["questions"]),
        *(q["question"].split(" _____")[0] for q in artifacts["quiz"]["questions"]),
        *(s["text"] for s in artifacts["podcast_script"]["segments"] if s["speaker"] == book.host),
    ]
    assert detect(" ".join(ours)) == language  # the engine's own words, not only the quotes, are in it
    assert [s["name"] for s in artifacts["podcast_script"]["speakers"]] == [book.host, book.guest]
    assert artifacts["study_guide"]["title"].startswith(book.study_guide_title.split("{", 1)[0])
