"""CSV: the documented header, one row an item, any text back as it went in, and no cell a formula."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from app.content.catalogue import ArtifactType
from app.exports import render, tables
from tests.exports.contents import TRICKY, tricky_flashcards, tricky_quiz

A = ArtifactType
HEADERS = {
    A.FAQ: ["question", "answer", "evidence", "evidence_location"],
    A.FLASHCARDS: ["front", "back", "difficulty", "evidence", "evidence_location"],
    A.READING_QUESTIONS: ["question", "kind", "answer", "passage", "evidence", "evidence_location"],
    A.QUIZ: ["question", "options", "answer", "explanation", "difficulty", "evidence", "evidence_location"],
}
ITEMS = {A.FAQ: "items", A.FLASHCARDS: "cards", A.READING_QUESTIONS: "questions", A.QUIZ: "questions"}


def table(artifact: A, content: dict[str, Any]) -> tuple[bytes, list[dict[str, str]], list[str]]:
    data = render(artifact, "csv", content, job_id="job_1", title="Photosynthesis").data
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    rows = list(reader)
    return data, rows, list(reader.fieldnames or [])


def test_the_documented_headers_are_the_ones_written() -> None:
    documented = {
        A(name): [c.strip() for c in columns.split(",")]
        for name, columns in re.findall(r"^\| (\w+) \| ([\w, ]+) \|$", tables.__doc__ or "", re.MULTILINE)
        if name != "type"
    }
    assert documented == HEADERS
    assert {artifact: list(t.header) for artifact, t in tables.TABLES.items()} == HEADERS


@pytest.mark.parametrize("artifact", list(HEADERS))
def test_one_row_an_item_under_the_header(artifact: A, grounded: dict[A, dict[str, Any]]) -> None:
    content = grounded[artifact]
    data, rows, header = table(artifact, content)
    assert header == HEADERS[artifact]
    items = content[ITEMS[artifact]]
    assert len(rows) == len(items)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") >= len(items) + 1
    assert data.endswith(b"\r\n")
    for row, item in zip(rows, items, strict=True):
        assert row["evidence"] == " | ".join(e["quote"] for e in item["evidence"])
        assert row["evidence_location"].count("characters") == len(item["evidence"])
        assert None not in row  # no row longer than the header


def test_quiz_rows_name_the_options_and_the_answer(grounded: dict[A, dict[str, Any]]) -> None:
    _, rows, _ = table(A.QUIZ, grounded[A.QUIZ])
    for row, question in zip(rows, grounded[A.QUIZ]["questions"], strict=True):
        assert row["options"].split(" | ") == question["options"]
        assert row["answer"] == question["options"][question["answer_index"]]
        assert row["explanation"] == question["explanation"]
        assert row["difficulty"] == question["difficulty"]


def test_reading_questions_leave_absent_values_empty() -> None:
    content = {
        "questions": [
            {"question": f"How does step {n} work?", "kind": "analysis", **({"answer": "Like so."} if n % 2 else {})}
            for n in range(1, 6)
        ]
    }
    _, rows, _ = table(A.READING_QUESTIONS, content)
    assert [r["answer"] for r in rows] == ["Like so.", "", "Like so.", "", "Like so."]
    assert {r["passage"] for r in rows} == {""}
    assert {r["evidence"] for r in rows} == {""}


def test_commas_quotes_and_line_breaks_come_back_as_written() -> None:
    content = tricky_flashcards()
    _, rows, _ = table(A.FLASHCARDS, content)
    assert rows[0]["back"] == TRICKY
    assert rows[0]["evidence"] == TRICKY
    assert rows[0]["evidence_location"] == "source src_1, page 1, characters 10–148"
    assert rows[2]["back"] == content["cards"][2]["back"]
    assert rows[3]["front"] == "Ünïcödé — 光合作用?"
    assert rows[3]["evidence_location"] == "characters 10–18"


def test_a_cell_that_would_be_a_formula_starts_with_an_apostrophe() -> None:
    _, cards, _ = table(A.FLASHCARDS, tricky_flashcards())
    assert cards[1]["front"] == '\'=HYPERLINK("http://example.com")'
    assert cards[1]["back"] == "'-1 is below zero, +1 above."
    _, questions, _ = table(A.QUIZ, tricky_quiz())
    assert questions[2]["options"] == "'=SUM(A1:A3) | +1 | @home"
    assert questions[2]["answer"] == "'+1"
    assert questions[2]["explanation"] == "'-1 and +1 both start like formulas."
