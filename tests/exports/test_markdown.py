"""Markdown shows every text of every artifact, in headings and lists a reader can follow, and generated text
is shown as written, never read as markup."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from app.content.catalogue import ArtifactType, artifact_types
from app.exports import render
from app.exports.markdown import escaped
from tests.exports.contents import TRICKY, strings, tricky_flashcards, tricky_quiz
from tests.exports.readers import markdown_text, markdown_tokens
from tests.fixtures.samples import flat

A = ArtifactType


def markdown(artifact: A, content: dict[str, Any], title: str = "Photosynthesis") -> str:
    return render(artifact, "md", content, job_id="job_1", title=title).data.decode("utf-8")


@pytest.mark.parametrize("artifact", artifact_types())
def test_every_text_of_the_artifact_is_shown(artifact: A, grounded: dict[A, dict[str, Any]]) -> None:
    shown = markdown_text(markdown(artifact, grounded[artifact]))
    missing = [s for s in strings(grounded[artifact]) if flat(s) not in shown]
    assert missing == []


@pytest.mark.parametrize("artifact", artifact_types())
def test_one_title_heading_then_sections(artifact: A, grounded: dict[A, dict[str, Any]]) -> None:
    tokens = markdown_tokens(markdown(artifact, grounded[artifact]))
    levels = [t.tag for t in tokens if t.type == "heading_open"]
    assert levels[0] == "h1"
    assert levels.count("h1") == 1
    assert "h2" in levels


def test_evidence_is_quoted_with_its_location(grounded: dict[A, dict[str, Any]]) -> None:
    text = markdown(A.FLASHCARDS, grounded[A.FLASHCARDS])
    evidence = grounded[A.FLASHCARDS]["cards"][0]["evidence"][0]
    assert f"> {escaped(evidence['quote'])}\n" in text
    location = f"source src_photosynthesis, page {evidence['page']}, characters {evidence['start']}–{evidence['end']}"
    assert f"> — {location}" in text
    assert sum(t.type == "blockquote_open" for t in markdown_tokens(text)) == sum(
        len(card["evidence"]) for card in grounded[A.FLASHCARDS]["cards"]
    )


def test_quiz_options_then_the_answers_marked_at_the_end(grounded: dict[A, dict[str, Any]]) -> None:
    quiz = grounded[A.QUIZ]
    text = markdown(A.QUIZ, quiz)
    questions, answers = text.split("\n## Answers\n")
    first = quiz["questions"][0]
    for letter, option in zip("ABCDE", first["options"], strict=False):
        assert f"- {letter}. {escaped(option)}" in questions
    assert first["explanation"] not in questions
    letter = "ABCDE"[first["answer_index"]]
    assert f"**1. {letter}: {escaped(first['options'][first['answer_index']])}**" in answers
    assert all(flat(q["explanation"]) in markdown_text(answers) for q in quiz["questions"])


def test_flashcards_front_and_back(grounded: dict[A, dict[str, Any]]) -> None:
    text = markdown(A.FLASHCARDS, grounded[A.FLASHCARDS])
    card = grounded[A.FLASHCARDS]["cards"][1]
    assert f"## Card 2\n\n**Front:** {escaped(card['front'])}\n\n**Back:** {escaped(card['back'])}" in text


def _inline_text(token: Any) -> str:
    return "".join(c.content for c in token.children or [] if c.type == "text")


@pytest.mark.parametrize("content", [tricky_flashcards(), tricky_quiz()], ids=["flashcards", "quiz"])
def test_markup_in_the_text_is_shown_as_written(content: dict[str, Any]) -> None:
    artifact = A.FLASHCARDS if "cards" in content else A.QUIZ
    text = markdown(artifact, content, title="# Title with *stars* <b>")
    tokens = markdown_tokens(text)
    assert not [t for t in tokens if t.type in ("html_block", "code_block", "fence", "hr")]
    inline = [c for t in tokens for c in t.children or []]
    assert not [c for c in inline if c.type in ("html_inline", "link_open", "code_inline", "image")]
    # Emphasis is the export's own labels, never the content's stars and underscores.
    emphasised = [after.content for before, after in itertools.pairwise(inline) if before.type == "em_open"]
    assert all(e.startswith("Difficulty: ") for e in emphasised)
    shown = markdown_text(text)
    assert all(flat(s) in shown for s in strings(content))
    headings = [_inline_text(t) for o, t in itertools.pairwise(tokens) if o.type == "heading_open"]
    label, items = ("Flashcards", "Card") if artifact is A.FLASHCARDS else ("Quiz", "Question")
    numbered = [f"{items} {n}" for n in range(1, 6)]
    assert headings == [f"{label}: # Title with *stars* <b>", *numbered] + ([] if items == "Card" else ["Answers"])


@pytest.mark.parametrize(
    "text",
    [TRICKY, "# heading", "1. item", "2) item", "- item", "+ item", "> quote", "    code", "---", "===", "&copy;"],
)
def test_escaped_text_renders_as_itself(text: str) -> None:
    tokens = markdown_tokens(escaped(text))
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert markdown_text(escaped(text)) == flat(text)
