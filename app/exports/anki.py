"""Anki packages (``.apkg``) of flashcards and quizzes, built with genanki.

Anki recognises a note it has by its guid and updates it (when the imported note is newer) instead of adding a
copy, so guids come from the job, the artifact and the item's position, the deck's id from the job and the
artifact, and each note type's id is a constant: a note type whose fields change needs a new id. The package
is written to an in-memory SQLite database, so the same artifact and time give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import genanki

from app.content.catalogue import ArtifactType
from app.content.grounding import Evidence
from app.content.models import Flashcards, Quiz
from app.exports.archive import zipped
from app.exports.formats import Format, JobArtifact, location

MEDIA_TYPE = "application/apkg"
DEFAULT_DECK = "Content Factory"  # for a job without a title
LETTERS = "ABCDE"
ID_BLOCK = 1_000  # ids a package may use: a note and a card for each of at most 50 cards or 30 questions

_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background: white; }
.evidence blockquote { margin: 1em 0; padding-left: 0.8em; border-left: 3px solid #999; font-size: 16px; }
.evidence small { display: block; color: #666; margin-top: 0.3em; }
.explanation { margin-top: 1em; }"""
_EVIDENCE = '{{#Evidence}}<div class="evidence">{{Evidence}}</div>{{/Evidence}}'

FLASHCARD_NOTE = genanki.Model(
    1_428_503_617,  # constant: Anki matches a note's type by this id
    "Content Factory flashcard",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Evidence"}],
    templates=[
        {
            "name": "Card",
            "qfmt": '<div class="front">{{Front}}</div>',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="back">{{Back}}</div>' + _EVIDENCE,
        }
    ],
    css=_CSS,
)
QUIZ_NOTE = genanki.Model(
    1_428_503_618,
    "Content Factory quiz question",
    fields=[{"name": n} for n in ("Question", "Options", "Answer", "Explanation", "Evidence")],
    templates=[
        {
            "name": "Question",
            "qfmt": '<div class="question">{{Question}}</div>{{Options}}',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div>'
            '<div class="explanation">{{Explanation}}</div>' + _EVIDENCE,
        }
    ],
    css=_CSS,
)


@dataclass(frozen=True, slots=True)
class NoteType:
    model: Any  # a genanki.Model
    deck: str  # the subdeck under the job's title
    notes: Callable[[JobArtifact], list[tuple[list[str], list[str]]]]  # each note's fields and tags


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _evidence(evidence: Sequence[Evidence]) -> str:
    return "".join(
        f"<blockquote>{_html(e.quote)}<small>{html.escape(location(e))}</small></blockquote>" for e in evidence
    )


def _flashcards(item: JobArtifact) -> list[tuple[list[str], list[str]]]:
    return [
        ([_html(card.front), _html(card.back), _evidence(card.evidence)], [f"difficulty::{card.difficulty.value}"])
        for card in item.content_as(Flashcards).cards
    ]


def _quiz(item: JobArtifact) -> list[tuple[list[str], list[str]]]:
    notes = []
    for q in item.content_as(Quiz).questions:
        options = "".join(f"<li>{_html(option)}</li>" for option in q.options)
        answer = f"<b>{LETTERS[q.answer_index]}.</b> {_html(q.options[q.answer_index])}"
        fields = [_html(q.question), f'<ol type="A">{options}</ol>', answer, _html(q.explanation)]
        notes.append(([*fields, _evidence(q.evidence)], [f"difficulty::{q.difficulty.value}"]))
    return notes


NOTE_TYPES: dict[ArtifactType, NoteType] = {
    ArtifactType.FLASHCARDS: NoteType(FLASHCARD_NOTE, "Flashcards", _flashcards),
    ArtifactType.QUIZ: NoteType(QUIZ_NOTE, "Quiz", _quiz),
}


def note_guid(job_id: str, artifact: ArtifactType, index: int) -> str:
    return str(genanki.guid_for(job_id, artifact.value, index))


def deck_id(job_id: str, artifact: ArtifactType) -> int:
    """A stable id in the range genanki advises for decks (2**30 to 2**31)."""
    digest = hashlib.sha256(f"{job_id}\x1f{artifact.value}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def deck_name(item: JobArtifact, subdeck: str) -> str:
    # "::" separates an Anki deck from its subdecks: a title holding it would make decks of its own.
    return f"{item.name(DEFAULT_DECK).replace('::', ':')}::{subdeck}"


def render(item: JobArtifact) -> bytes:
    note_type = NOTE_TYPES[item.artifact]
    deck = genanki.Deck(deck_id(item.job_id, item.artifact), deck_name(item, note_type.deck))
    for index, (fields, tags) in enumerate(note_type.notes(item)):
        deck.add_note(
            genanki.Note(
                model=note_type.model, fields=fields, tags=tags, guid=note_guid(item.job_id, item.artifact, index)
            )
        )
    timestamp = item.modified.timestamp()
    # As genanki's Package.write_to_file, without its temporary file: note and card ids count up from the time in
    # milliseconds (each note type from its own block, so one job's packages made at one time share no ids), and
    # every note and card is modified at that time.
    ids = itertools.count(int(timestamp * 1000) + list(NOTE_TYPES).index(item.artifact) * ID_BLOCK)
    connection = sqlite3.connect(":memory:")
    try:
        genanki.Package(deck).write_to_db(connection.cursor(), timestamp, ids)
        connection.commit()
        database = connection.serialize()
    finally:
        connection.close()
    return zipped([("collection.anki2", database), ("media", b"{}")])


APKG = Format(name="apkg", media_type=MEDIA_TYPE, extension="apkg", offers=NOTE_TYPES.__contains__, render=render)
