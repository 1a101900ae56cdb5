from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.content.catalogue import ArtifactType, artifact_types, spec_of, validate_content
from app.content.models import Difficulty, Outline
from app.extractive import analyse, build
from app.extractive.capacity import SourceTooShort
from app.extractive.phrasebook import ENGLISH
from app.extractive.recipes import shortfalls
from app.extractive.sections import MAX_SECTIONS
from app.extractive.text import split_sentences
from tests.fixtures.extractive import built, built_all, built_outline, foreign_outline
from tests.fixtures.samples import ALL, ARTICLES, DISTINCTIVE, LONG, flat, read, request

OTHERS = [a for a in artifact_types() if a is not ArtifactType.OUTLINE]
COUNTED = (ArtifactType.FAQ, ArtifactType.FLASHCARDS, ArtifactType.READING_QUESTIONS)
HOST_FIELDS = ("welcomes", "introductions", "transitions", "follow_ups", "prompts", "summaries", "closings", "shorter")


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(template)) + "(?: |$)")


def _templates_of(text: str) -> list[str] | None:
    """The host's templates a turn is made of, in order (a turn may join several lines), or None."""
    if not text:
        return []
    for template, pattern in HOST_LINES.items():
        for match in [m for m in [pattern.match(text)] if m] + list(_longer_matches(pattern, text)):
            rest = _templates_of(text[match.end() :])
            if rest is not None:
                return [template, *rest]
    return None


def _longer_matches(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches of a template that take more of the text than the shortest one (a term may hold spaces)."""
    found = []
    for end in range(len(text), 0, -1):
        match = pattern.fullmatch(text, 0, end) if text[end - 1 : end] in (" ", "") or end == len(text) else None
        if match:
            found.append(match)
    return found


HOST_LINES = {
    template: _pattern(template)
    for name in HOST_FIELDS
    for template in (lambda value: value if isinstance(value, tuple) else (value,))(getattr(ENGLISH, name))
}
GUEST_LINES = set(ENGLISH.guest_closings)


@pytest.mark.parametrize("artifact", list(artifact_types()))
@pytest.mark.parametrize("name", ALL)
def test_every_artifact_validates_with_default_controls(name: str, artifact: ArtifactType) -> None:
    built(name, artifact)


@pytest.mark.parametrize("artifact", COUNTED)
@pytest.mark.parametrize("name", ALL)
def test_counts_at_their_limits_are_served_exactly_or_refused_by_name(name: str, artifact: ArtifactType) -> None:
    analysis = analyse(read(name))
    limits = {"flashcards": (5, 50), "faq": (5, 15), "reading_questions": (5, 15)}[artifact.value]
    for count in limits:
        controls = {"count": count}
        problems = shortfalls(analysis, artifact, controls)
        if not problems:
            data = built(name, artifact, controls)
            assert len(next(iter(data.values()))) == count
        else:
            assert [p.field for p in problems] == [f"options.{artifact.value}.count"]
            with pytest.raises(SourceTooShort):
                build(artifact, analysis, controls, built_outline(name), request(read(name)))


@pytest.mark.parametrize("name", ARTICLES)
def test_an_800_word_article_serves_the_largest_faq_and_question_sets(name: str) -> None:
    analysis = analyse(read(name))
    for artifact in (ArtifactType.FAQ, ArtifactType.READING_QUESTIONS):
        assert shortfalls(analysis, artifact, {"count": 15}) == []
    assert shortfalls(analysis, ArtifactType.FLASHCARDS, {"count": 40}) == []


@pytest.mark.parametrize("minutes", [2, 60])
def test_podcast_minutes_at_their_limits(minutes: int) -> None:
    built("photosynthesis", ArtifactType.PODCAST_SCRIPT, {"minutes": minutes})


def test_output_does_not_depend_on_hash_seeds() -> None:
    script = (
        "import json, sys\n"
        "from tests.fixtures.extractive import built_all\n"
        "print(json.dumps({a.value: c for a, c in built_all(sys.argv[1]).items()}, sort_keys=True))\n"
    )
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, "french_revolution"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0]) == json.loads(
        json.dumps({a.value: c for a, c in built_all("french_revolution").items()})
    )


@pytest.mark.parametrize("artifact", list(artifact_types()))
def test_different_texts_give_different_artifacts(artifact: ArtifactType) -> None:
    contents = [json.dumps(built(name, artifact), sort_keys=True) for name in ARTICLES]
    assert len(set(contents)) == len(contents)


@pytest.mark.parametrize("name", ALL)
def test_artifacts_are_about_the_text(name: str) -> None:
    built = built_all(name)
    terms = [t.casefold() for t in DISTINCTIVE[name]]
    concepts = " ".join(c["term"].casefold() for c in built[ArtifactType.STUDY_GUIDE]["key_concepts"])
    cards = " ".join(c["front"] + " " + c["back"] for c in built[ArtifactType.FLASHCARDS]["cards"]).casefold()
    outline = json.dumps(built[ArtifactType.OUTLINE]).casefold()
    assert sum(t in concepts for t in terms) >= 2, concepts
    assert sum(t in cards for t in terms) >= 3, cards
    assert sum(t in outline for t in terms) >= 3, outline


def _sentences(text: str) -> list[str]:
    return [s for paragraph in text.split("\n\n") for s in split_sentences(paragraph)]


def _assert_quoted(text: str, source: str) -> None:
    for sentence in _sentences(text):
        assert flat(sentence) in source, sentence


@pytest.mark.parametrize("name", ALL)
def test_long_text_fields_quote_the_source(name: str) -> None:
    source = flat(read(name))
    built = built_all(name)
    guide = built[ArtifactType.STUDY_GUIDE]
    for text in [guide["overview"], guide["summary"], *(s["content"] for s in guide["sections"])]:
        _assert_quoted(text, source)
    for concept in guide["key_concepts"]:
        _assert_quoted(concept["explanation"], source)
    reading = built[ArtifactType.DETAILED_READING]
    for text in [reading["introduction"], reading["conclusion"], *(s["content"] for s in reading["sections"])]:
        _assert_quoted(text, source)
    pager = built[ArtifactType.ONE_PAGER]
    for text in [pager["summary"], pager["body"], *pager["key_takeaways"]]:
        _assert_quoted(text, source)
    outline = built[ArtifactType.OUTLINE]
    for section in outline["sections"]:
        for text in [section["summary"], *section["key_points"]]:
            _assert_quoted(text, source)
    for item in built[ArtifactType.FAQ]["items"]:
        _assert_quoted(item["answer"], source)


@pytest.mark.parametrize("name", ALL)
def test_the_podcast_is_the_hosts_templates_and_the_guests_quotes(name: str) -> None:
    source = flat(read(name))
    script = built(name, ArtifactType.PODCAST_SCRIPT)
    assert [s["name"] for s in script["speakers"]] == ["Host", "Guest"]
    segments = script["segments"]
    assert all(a["speaker"] != b["speaker"] for a, b in itertools.pairwise(segments))
    heard: list[str] = []
    for segment in segments:
        if segment["speaker"] == "Host":
            matched = _templates_of(segment["text"])
            assert matched, segment["text"]
            heard.extend(matched)
        else:
            text = segment["text"]
            for closing in GUEST_LINES:
                text = text.removesuffix(closing).strip()
            if text:
                _assert_quoted(text, source)
    assert len(heard) == len(set(heard))  # no host line twice


def test_the_podcast_aims_at_the_requested_minutes_without_inventing() -> None:
    short = built(LONG, ArtifactType.PODCAST_SCRIPT, {"minutes": 3})
    target = built(LONG, ArtifactType.PODCAST_SCRIPT, {"minutes": 15})
    assert short["estimated_minutes"] < target["estimated_minutes"]
    assert 12 <= target["estimated_minutes"] <= 18
    # An 850-word article holds about six minutes of speech; asking for an hour does not pad it.
    capped = built("photosynthesis", ArtifactType.PODCAST_SCRIPT, {"minutes": 60})
    assert capped["estimated_minutes"] < 8
    words = sum(len(s["text"].split()) for s in capped["segments"])
    assert capped["estimated_minutes"] == round(words / 150, 1)


@pytest.mark.parametrize("artifact", [ArtifactType.STUDY_GUIDE, ArtifactType.DETAILED_READING])
@pytest.mark.parametrize("name", ALL)
def test_sections_follow_thebuilt_outline(name: str, artifact: ArtifactType) -> None:
    outline_titles = [s.title for s in built_outline(name).sections]
    titles = [s["title"] for s in built(name, artifact)["sections"]]
    assert titles == outline_titles[:MAX_SECTIONS]


def test_the_outline_uses_the_requests_topic_and_difficulty() -> None:
    text = read("plate_tectonics")
    data = build(
        ArtifactType.OUTLINE,
        analyse(text),
        {},
        None,
        request(text, topic="  Moving Continents ", difficulty=Difficulty.ADVANCED),
    )
    assert data["title"] == "Moving Continents"
    assert data["difficulty"] == "advanced"
    assert built("plate_tectonics", ArtifactType.OUTLINE)["difficulty"] == "intermediate"
    assert built("plate_tectonics", ArtifactType.OUTLINE)["title"] == "Plate Tectonics"


def test_learning_objectives_name_the_texts_key_terms() -> None:
    objectives = built("photosynthesis", ArtifactType.OUTLINE)["learning_objectives"]
    assert objectives[0] == "Explain photosynthesis."
    assert 3 <= len(objectives) <= 6
    assert all(o.endswith(".") for o in objectives)


def test_other_artifacts_follow_an_outline_written_elsewhere() -> None:
    text = read("photosynthesis")
    outline = foreign_outline()
    for artifact in OTHERS:
        controls = spec_of(artifact).defaults()
        data = build(artifact, analyse(text), controls, outline, request(text))
        validate_content(artifact, data, controls)
    guide = build(ArtifactType.STUDY_GUIDE, analyse(text), {}, outline, request(text))
    assert [s["title"] for s in guide["sections"]] == [s.title for s in outline.sections]


def test_without_an_outline_the_engine_plans_its_own() -> None:
    text = read("tcp_congestion_control")
    data = build(ArtifactType.DETAILED_READING, analyse(text), {}, None, request(text))
    assert [s["title"] for s in data["sections"]] == [s.title for s in analyse(text).sections]


def test_a_foreign_outline_with_more_sections_than_a_reading_holds_is_folded() -> None:
    text = read("photosynthesis")
    outline = Outline.model_validate(
        {
            "title": "Photosynthesis in Twelve Parts",
            "overview": "Twelve parts.",
            "learning_objectives": ["One.", "Two.", "Three."],
            "sections": [
                {"number": n, "title": f"Part {n}", "summary": "Light and sugar.", "key_points": ["Leaves."]}
                for n in range(1, 13)
            ],
            "difficulty": "introductory",
        }
    )
    for artifact in OTHERS:
        controls = spec_of(artifact).defaults()
        validate_content(artifact, build(artifact, analyse(text), controls, outline, request(text)), controls)
    reading = build(ArtifactType.DETAILED_READING, analyse(text), {}, outline, request(text))
    assert [s["title"] for s in reading["sections"]] == [f"Part {n}" for n in range(1, 11)]
