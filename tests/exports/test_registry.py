"""Which formats each artifact type is offered in, what they are served as, and the refusal of any other."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.content.catalogue import ArtifactType, artifact_types
from app.exports import FORMATS, UnknownFormat, formats_of, render
from app.exports.markdown import RENDERERS
from tests.exports.contents import MODIFIED

A = ArtifactType
OFFERED = {
    A.OUTLINE: ("json", "md"),
    A.PODCAST_SCRIPT: ("json", "md"),
    A.STUDY_GUIDE: ("json", "md"),
    A.ONE_PAGER: ("json", "md"),
    A.DETAILED_READING: ("json", "md"),
    A.FAQ: ("json", "md", "csv"),
    A.FLASHCARDS: ("json", "md", "csv", "apkg"),
    A.READING_QUESTIONS: ("json", "md", "csv"),
    A.QUIZ: ("json", "md", "csv", "apkg", "qti", "gift"),
}
SERVED_AS = {  # each format: a type offered in it, its media type and its extension
    "json": (A.OUTLINE, "application/json", "json"),
    "md": (A.PODCAST_SCRIPT, "text/markdown; charset=utf-8", "md"),
    "csv": (A.FAQ, "text/csv; charset=utf-8", "csv"),
    "apkg": (A.FLASHCARDS, "application/apkg", "apkg"),
    "qti": (A.QUIZ, "application/zip", "qti.zip"),
    "gift": (A.QUIZ, "text/plain; charset=utf-8", "gift.txt"),
}


def test_each_type_is_offered_in_its_formats() -> None:
    assert {artifact: formats_of(artifact) for artifact in artifact_types()} == OFFERED


def test_every_type_reads_as_markdown() -> None:
    missing = [artifact.value for artifact in artifact_types() if artifact not in RENDERERS]
    assert missing == [], f"no Markdown renderer (app/exports/markdown.py RENDERERS) for {', '.join(missing)}"


def test_formats_in_order() -> None:
    assert [f.name for f in FORMATS] == list(SERVED_AS)


@pytest.mark.parametrize(("name", "served"), SERVED_AS.items())
def test_media_types_and_extensions(name: str, served: tuple[A, str, str], grounded: dict[A, dict[str, Any]]) -> None:
    artifact, media_type, extension = served
    rendered = render(artifact, name, grounded[artifact], job_id="job_1", title="Photosynthesis")
    assert (rendered.media_type, rendered.extension) == (media_type, extension)
    assert rendered.data


def test_json_is_the_content_as_stored(grounded: dict[A, dict[str, Any]]) -> None:
    rendered = render(A.FAQ, "json", grounded[A.FAQ], job_id="job_1", title="Photosynthesis")
    text = rendered.data.decode("utf-8")
    assert text.startswith('{\n  "items": [')  # pretty, in the stored order
    assert json.loads(text) == grounded[A.FAQ]


def test_json_keeps_text_beyond_ascii() -> None:
    content = {
        "cards": [
            {"front": f"Was ist {word}?", "back": f"„{word}“ ist ein Wort.", "difficulty": "easy"}
            for word in ("Grün", "Blüte", "Wärme", "Größe", "光合作用")
        ]
    }
    data = render(A.FLASHCARDS, "json", content, job_id="j", title="t").data
    assert "光合作用".encode() in data
    assert b"\\u" not in data


@pytest.mark.parametrize(
    ("artifact", "name"), [(A.OUTLINE, "csv"), (A.FAQ, "apkg"), (A.FLASHCARDS, "qti"), (A.QUIZ, "pdf"), (A.QUIZ, "")]
)
def test_a_format_not_offered_is_refused_with_the_known_ones(
    artifact: A, name: str, grounded: dict[A, dict[str, Any]]
) -> None:
    with pytest.raises(UnknownFormat) as raised:
        render(artifact, name, grounded[artifact], job_id="job_1", title="Photosynthesis")
    assert raised.value.known == OFFERED[artifact]
    assert raised.value.artifact is artifact
    assert raised.value.name == name
    assert ", ".join(OFFERED[artifact]) in str(raised.value)


@pytest.mark.parametrize("artifact", list(OFFERED))
def test_the_same_input_gives_the_same_bytes(artifact: A, grounded: dict[A, dict[str, Any]]) -> None:
    for name in formats_of(artifact):
        first, second = (
            render(artifact, name, grounded[artifact], job_id="job_1", title="Photosynthesis", modified=MODIFIED)
            for _ in range(2)
        )
        assert first == second, name
