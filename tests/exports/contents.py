"""Stored artifacts to export: the offline engine's, grounded and localised as the pipeline stores them, and
hand-written ones whose text holds every character a format has to escape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.content.catalogue import ArtifactType, spec_of, validate_content
from app.content.grounding import SourceRef, attach, evidence_field, index_source, localise, own_quotes
from tests.fixtures.extractive import built_all
from tests.fixtures.samples import read

SOURCE_ID = "src_photosynthesis"
MODIFIED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# Every character CSV, Markdown, HTML, XML or GIFT reads as syntax, a line break and text beyond ASCII.
TRICKY = (
    "Commas, \"double quotes\" and 'single' ones;\nthen <b>bold</b> & &amp; *stars* _under_ [a](link) `code` "
    "~ = # { } : \\ back|slash — naïve 光合作用"
)


def grounded_all(name: str = "photosynthesis") -> dict[ArtifactType, dict[str, Any]]:
    """Every artifact of the sample text, each item with its evidence in one source of two PDF pages."""
    text = read(name)
    refs = [SourceRef(id=SOURCE_ID, title=name, start=0, end=len(text), page_starts=(0, len(text) // 2))]
    index = index_source(text)
    out: dict[ArtifactType, dict[str, Any]] = {}
    for artifact, data in built_all(name).items():
        items = evidence_field(spec_of(artifact).model)
        if items is not None:
            attach(data[items], [own_quotes(item) for item in data[items]], index, partial=True)
            data[items] = localise(data[items], refs)
        out[artifact] = validate_content(artifact, data, {}).model_dump(mode="json")
    return out


def _evidence(quote: str, page: int | None = 1) -> list[dict[str, Any]]:
    return [{"source_id": "src_1" if page else None, "start": 10, "end": 10 + len(quote), "quote": quote, "page": page}]


def tricky_flashcards() -> dict[str, Any]:
    cards: list[dict[str, Any]] = [
        {"front": 'What does "a, b" mean in {GIFT}: ~ = #?', "back": TRICKY, "evidence": _evidence(TRICKY)},
        {"front": '=HYPERLINK("http://example.com")', "back": "-1 is below zero, +1 above.", "evidence": []},
        {"front": "# Not a heading", "back": "1. not a list\n> not a quote\n    not code\n- nor this"},
        {"front": "Ünïcödé — 光合作用?", "back": "Ja, das ist „richtig“.", "evidence": _evidence("ein Satz", None)},
        {"front": "<script>alert(1)</script>", "back": "Plain answer <i>here</i>.", "evidence": []},
    ]
    data = {"cards": [{"difficulty": "medium", **card} for card in cards]}
    return validate_content(ArtifactType.FLASHCARDS, data, {}).model_dump(mode="json")


def tricky_quiz() -> dict[str, Any]:
    questions: list[dict[str, Any]] = [
        {
            "question": 'Which of {a} ~ b = c # d : e \\ f is "right"?\nSecond line <script>x</script>',
            "options": ["a, b", 'c "d" = e', "{f} ~ g #h"],
            "answer_index": 2,
            "explanation": TRICKY,
            "evidence": _evidence(TRICKY),
        },
        {
            "question": "What does ::title:: mean in GIFT?",
            "options": ["A question's name", "A category", "A comment line"],
            "answer_index": 0,
            "explanation": "Two colons on each side: ::name::.",
        },
        {
            "question": "Which formula starts a spreadsheet cell?",
            "options": ["=SUM(A1:A3)", "+1", "@home"],
            "answer_index": 1,
            "explanation": "-1 and +1 both start like formulas.",
        },
        {
            "question": "Was ist „Photosynthese“?",
            "options": ["Lichtreaktion", "Zellatmung", "Gärung", "Fotolyse"],
            "answer_index": 3,
            "explanation": "Ünïcödé in every field: 光合作用.",
        },
        {
            "question": "Which HTML is shown as text?",
            "options": ["<b>bold</b>", "&amp;", "<!-- c -->", "<![CDATA[x]]>", "]]>"],
            "answer_index": 1,
            "explanation": "All of it: <b> & ]]> are escaped.",
        },
    ]
    data = {"questions": [{"difficulty": "hard", **q} for q in questions]}
    return validate_content(ArtifactType.QUIZ, data, {}).model_dump(mode="json")


def strings(value: Any) -> list[str]:
    """Every string in a stored artifact."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []
