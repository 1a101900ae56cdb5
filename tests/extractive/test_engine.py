from __future__ import annotations

import pytest

from app.content.catalogue import ArtifactOptions, ArtifactType, artifact_types
from app.content.generator import GenerationInput, GenerationTask, Generator, PermanentGenerationError, Usage
from app.content.models import Outline
from app.errors import Unprocessable
from app.extractive import ExtractiveGenerator
from app.extractive.analysis import analyse
from app.extractive.text import parse
from tests.fixtures.samples import ALL, ARTICLES, TEXTS, huge_text, read, request

TWO_SENTENCES = "Photosynthesis is the process by which plants make sugar. It needs light, water and carbon dioxide."


async def _generate_all(
    engine: ExtractiveGenerator, source: GenerationInput, options: ArtifactOptions | None = None
) -> dict[ArtifactType, object]:
    """Every artifact, as the pipeline asks for them: the outline first, then the rest from the stored outline."""
    options = options or ArtifactOptions()
    outline = await engine.generate(GenerationTask(ArtifactType.OUTLINE, source, {}))
    stored = Outline.model_validate(outline.content.model_dump(mode="json"))
    out: dict[ArtifactType, object] = {ArtifactType.OUTLINE: outline.content}
    for artifact in artifact_types()[1:]:
        task = GenerationTask(artifact, source, options.for_type(artifact), stored)
        generated = await engine.generate(task)
        assert generated.usage == Usage()
        out[artifact] = generated.content
    return out


def test_the_engine_implements_the_generator_port() -> None:
    engine: Generator = ExtractiveGenerator()
    assert engine.provider == "extractive"
    assert engine.model == "extractive-v1"
    assert engine.prompt_version == "extractive-1"


@pytest.mark.parametrize("name", ALL)
async def test_check_passes_and_every_artifact_is_generated(name: str) -> None:
    engine = ExtractiveGenerator()
    source = request(read(name))
    await engine.check(source, artifact_types(), ArtifactOptions())
    produced = await _generate_all(engine, source)
    assert list(produced) == list(artifact_types())


async def test_a_topic_alone_is_refused_before_a_job_exists() -> None:
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(
            GenerationInput(topic="Photosynthesis", source_text=None), artifact_types(), ArtifactOptions()
        )
    assert caught.value.status == 422
    assert "only a topic" in caught.value.message
    assert "CF_LLM_PROVIDER" in caught.value.message
    assert caught.value.details == [{"field": "source_text", "message": caught.value.message, "type": "missing"}]


async def test_a_blank_source_text_counts_as_missing() -> None:
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(request("   \n "), artifact_types(), ArtifactOptions())
    assert caught.value.details[0]["field"] == "source_text"


@pytest.mark.parametrize("language", ["it", "pt-BR", "eng", "nl"])
async def test_other_languages_are_refused(language: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(
            request(read("photosynthesis"), language=language), artifact_types(), ArtifactOptions()
        )
    assert [d["field"] for d in caught.value.details] == ["language"]
    assert "gemini or openai" in caught.value.message


@pytest.mark.parametrize("language", ["en", "EN", "en-GB", "en_US"])
async def test_english_variants_are_served(language: str) -> None:
    await ExtractiveGenerator().check(
        request(read("photosynthesis"), language=language), artifact_types(), ArtifactOptions()
    )


async def test_a_two_sentence_text_is_refused_with_what_was_found() -> None:
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(request(TWO_SENTENCES), [ArtifactType.OUTLINE], ArtifactOptions())
    details = caught.value.details
    assert {d["field"] for d in details} == {"source_text"}
    assert "has 1 usable sentence" in details[0]["message"]  # the second refers back to the first: one unit
    assert "longer text" in caught.value.message
    assert "CF_LLM_PROVIDER=gemini or openai" in caught.value.message


async def test_too_many_cards_names_the_option_and_the_most_it_can_serve() -> None:
    options = ArtifactOptions.model_validate({"flashcards": {"count": 50}})
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(request(read("french_revolution")), artifact_types(), options)
    assert [d["field"] for d in caught.value.details] == ["options.flashcards.count"]
    message = caught.value.details[0]["message"]
    assert "50 flashcards were requested" in message
    assert "ask for at most" in message


async def test_the_check_only_counts_the_artifacts_requested() -> None:
    options = ArtifactOptions.model_validate({"flashcards": {"count": 50}})
    await ExtractiveGenerator().check(request(read("french_revolution")), [ArtifactType.FAQ], options)


def _prefixes() -> list[str]:
    """Texts of 2 to 60 sentences cut from the sample articles: around the edge of what can be served."""
    out: list[str] = []
    for name in ARTICLES:
        sentences = parse(read(name)).sentences
        out.extend(" ".join(sentences[:n]) for n in (2, 3, 4, 6, 8, 10, 13, 16, 20, 25, 30))
    return out


@pytest.mark.parametrize(
    "options",
    [
        ArtifactOptions(),
        ArtifactOptions.model_validate({name: {"count": 5} for name in ("flashcards", "faq", "reading_questions")}),
    ],
)
async def test_whatever_the_check_accepts_is_generated(options: ArtifactOptions) -> None:
    engine = ExtractiveGenerator()
    accepted = refused = 0
    for text in _prefixes():
        source = request(text)
        try:
            await engine.check(source, artifact_types(), options)
        except Unprocessable:
            refused += 1
            continue
        accepted += 1
        await _generate_all(engine, source, options)
    assert accepted and refused


async def test_generate_without_a_check_fails_permanently_with_a_reason() -> None:
    engine = ExtractiveGenerator()
    with pytest.raises(PermanentGenerationError) as caught:
        await engine.generate(GenerationTask(ArtifactType.FLASHCARDS, request(TWO_SENTENCES), {"count": 15}))
    assert caught.value.transient is False
    assert caught.value.code == "source_too_short"
    assert "too short" in caught.value.message
    with pytest.raises(PermanentGenerationError):
        await engine.generate(GenerationTask(ArtifactType.OUTLINE, GenerationInput(topic="x", source_text=None)))


async def test_a_200000_character_text_is_served() -> None:
    engine = ExtractiveGenerator()
    source = request(huge_text())
    assert len(source.source_text or "") == 200_000
    await engine.check(source, artifact_types(), ArtifactOptions())
    produced = await _generate_all(engine, source)
    assert len(produced) == len(artifact_types())


async def test_the_admission_check_reads_a_bounded_prefix_of_a_long_source(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.extractive import engine as engine_module

    analysed: list[int] = []
    real = analyse

    def counting(text: str, language: str = "en") -> object:
        analysed.append(len(text))
        return real(text, language)

    monkeypatch.setattr(engine_module, "analyse", counting)
    source = request(huge_text())
    await ExtractiveGenerator().check(source, artifact_types(), ArtifactOptions())
    assert len(analysed) == 1
    assert engine_module.ADMISSION_CHARS * 3 // 4 <= analysed[0] <= engine_module.ADMISSION_CHARS  # not 200,000


def test_the_admission_sample_ends_at_a_paragraph_or_sentence() -> None:
    from app.extractive.engine import admission_sample

    paragraphs = "\n\n".join(f"Paragraph {i} says something. It goes on." for i in range(3000))
    sample = admission_sample(paragraphs, limit=1000)
    assert 750 <= len(sample) <= 1000 and sample.endswith("It goes on.")
    sentences = " ".join(f"Sentence {i} is here." for i in range(3000))
    assert admission_sample(sentences, limit=1000).endswith("is here.")
    assert admission_sample("x" * 5000, limit=1000) == "x" * 1000
    assert admission_sample("Short text.", limit=1000) == "Short text."


async def test_a_long_source_whose_prefix_falls_short_is_admitted_for_its_steps_to_judge() -> None:
    engine = ExtractiveGenerator()
    padding = "Cells divide. " * 4000  # 56,000 characters that repeat one sentence: the prefix fills nothing
    source = request(padding + read(ARTICLES[0]))
    await engine.check(source, [ArtifactType.FLASHCARDS], ArtifactOptions())  # no 422: the rest may fill it
    short = request("Cells divide. " * 100)
    with pytest.raises(Unprocessable):  # a text inside the prefix is judged exactly
        await engine.check(short, [ArtifactType.FLASHCARDS], ArtifactOptions())


LANGUAGE_TEXTS = {"de": "de/wasserkreislauf.txt", "fr": "fr/revolution_industrielle.txt", "es": "es/sistema_solar.txt"}


@pytest.mark.parametrize("code", sorted(LANGUAGE_TEXTS))
async def test_a_source_in_another_language_than_the_request_is_refused_naming_both(code: str) -> None:
    text = (TEXTS / LANGUAGE_TEXTS[code]).read_text(encoding="utf-8")
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(request(text, language="en"), artifact_types(), ArtifactOptions())
    assert [d["field"] for d in caught.value.details] == ["language"]
    assert caught.value.details[0]["type"] == "mismatch"
    assert f"({code})" in caught.value.message and "English (en)" in caught.value.message


async def test_an_unserved_language_is_refused_listing_the_served_ones() -> None:
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(
            request(read("photosynthesis"), language="it"), artifact_types(), ArtifactOptions()
        )
    assert caught.value.details[0]["type"] == "unsupported"
    assert "English (en)" in caught.value.message and "'it'" in caught.value.message


async def test_a_text_too_short_to_tell_is_taken_in_the_requested_language() -> None:
    from app.extractive.language import detect

    assert detect("Die Zelle teilt sich.") is None  # too few words to be sure of anything
    assert detect(read("photosynthesis")) == "en"


async def test_an_english_source_asked_for_in_french_is_refused_naming_both() -> None:
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(
            request(read("photosynthesis"), language="fr"), artifact_types(), ArtifactOptions()
        )
    assert caught.value.details[0]["type"] == "mismatch"
    assert "English (en)" in caught.value.message and "French (fr)" in caught.value.message
    assert '"language": "en"' in caught.value.message


def test_restructured_text_nested_past_the_parsers_reach_is_read_as_plain_text() -> None:
    from app.extractive import markup

    deep = ".. note:: x\n\n" + "".join(" " * i + "x\n\n" for i in range(200))
    assert markup.blocks(deep)  # docutils raises RecursionError here: the text is read as paragraphs instead


def test_markdown_signs_are_still_found_with_bounded_patterns() -> None:
    from app.extractive import markup

    assert markup.source_format("See [the guide](https://example.org/guide) for **more** detail.") == "markdown"
    assert markup.source_format("[" * 50_000) == "plain"


async def test_a_chinese_source_sent_as_english_is_refused_as_a_language_mismatch() -> None:
    text = (
        "光合作用是植物利用光能把二氧化碳和水转化为葡萄糖并释放氧气的过程。叶绿体是进行光合作用的细胞器。"
        "植物通过根吸收水分，通过叶片上的气孔吸收二氧化碳。"
    ) * 4
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(request(text), artifact_types(), ArtifactOptions())
    assert caught.value.details[0]["type"] == "mismatch" and "(zh)" in caught.value.message
