"""CSV tables of the artifacts made of items (RFC 4180, UTF-8 without a BOM, ``\\r\\n`` rows, one row an item).

Each type's header row is fixed and public (spreadsheets and import tools map columns by it):

| type | columns |
| --- | --- |
| faq | question, answer, evidence, evidence_location |
| flashcards | front, back, difficulty, evidence, evidence_location |
| reading_questions | question, kind, answer, passage, evidence, evidence_location |
| quiz | question, options, answer, explanation, difficulty, evidence, evidence_location |

A list (a question's options, an item's passages and their locations, in the same order) is one cell, its
values joined with `` | ``; an absent value is an empty cell. A cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: generated text can be steered by the source)
starts with an apostrophe instead, as OWASP's "CSV injection" page advises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.content.catalogue import ArtifactType
from app.content.grounding import Evidence
from app.content.models import Faq, Flashcards, Quiz, ReadingQuestions
from app.exports.formats import Format, JobArtifact, location

MEDIA_TYPE = "text/csv; charset=utf-8"
JOINER = " | "
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    header: Row
    rows: Callable[[JobArtifact], Iterable[Row]]


def _evidence(evidence: Sequence[Evidence]) -> Row:
    return JOINER.join(e.quote for e in evidence), JOINER.join(location(e) for e in evidence)


def _faq(item: JobArtifact) -> Iterable[Row]:
    for entry in item.content_as(Faq).items:
        yield entry.question, entry.answer, *_evidence(entry.evidence)


def _flashcards(item: JobArtifact) -> Iterable[Row]:
    for card in item.content_as(Flashcards).cards:
        yield card.front, card.back, card.difficulty.value, *_evidence(card.evidence)


def _reading_questions(item: JobArtifact) -> Iterable[Row]:
    for q in item.content_as(ReadingQuestions).questions:
        yield q.question, q.kind.value, q.answer or "", q.passage or "", *_evidence(q.evidence)


def _quiz(item: JobArtifact) -> Iterable[Row]:
    for q in item.content_as(Quiz).questions:
        answer = q.options[q.answer_index]
        yield q.question, JOINER.join(q.options), answer, q.explanation, q.difficulty.value, *_evidence(q.evidence)


_EVIDENCE = ("evidence", "evidence_location")
TABLES: dict[ArtifactType, Table] = {
    ArtifactType.FAQ: Table(("question", "answer", *_EVIDENCE), _faq),
    ArtifactType.FLASHCARDS: Table(("front", "back", "difficulty", *_EVIDENCE), _flashcards),
    ArtifactType.READING_QUESTIONS: Table(("question", "kind", "answer", "passage", *_EVIDENCE), _reading_questions),
    ArtifactType.QUIZ: Table(("question", "options", "answer", "explanation", "difficulty", *_EVIDENCE), _quiz),
}


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def render(item: JobArtifact) -> bytes:
    table = TABLES[item.artifact]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # quotes a cell holding a comma, a quote or a line break
    writer.writerow(table.header)
    writer.writerows([_cell(value) for value in row] for row in table.rows(item))
    return out.getvalue().encode("utf-8")


CSV = Format(name="csv", media_type=MEDIA_TYPE, extension="csv", offers=TABLES.__contains__, render=render)
