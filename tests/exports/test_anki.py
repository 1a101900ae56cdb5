"""Anki packages open as Anki opens them, keep their ids from one export to the next, and put the evidence on
the back of each card."""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.content.catalogue import ArtifactType
from app.exports import render
from app.exports.anki import FLASHCARD_NOTE, QUIZ_NOTE
from tests.exports.contents import MODIFIED, TRICKY, tricky_flashcards, tricky_quiz
from tests.exports.readers import AnkiPackage, read_apkg

A = ArtifactType
ITEMS = {A.FLASHCARDS: "cards", A.QUIZ: "questions"}


def package(
    artifact: A,
    content: dict[str, Any],
    folder: Path,
    *,
    job_id: str = "job_1",
    title: str = "Photosynthesis",
    **kw: Any,
) -> AnkiPackage:
    rendered = render(artifact, "apkg", content, job_id=job_id, title=title, modified=kw.get("modified", MODIFIED))
    return read_apkg(rendered.data, folder)


def deck_ids(pkg: AnkiPackage) -> set[int]:
    return {card["did"] for card in pkg.cards}


@pytest.mark.parametrize("artifact", list(ITEMS))
def test_a_note_and_a_card_an_item_in_the_job_deck(
    artifact: A, grounded: dict[A, dict[str, Any]], tmp_path: Path
) -> None:
    pkg = package(artifact, grounded[artifact], tmp_path)
    items = grounded[artifact][ITEMS[artifact]]
    assert len(pkg.notes) == len(pkg.cards) == len(items)
    (deck,) = deck_ids(pkg)
    label = "Flashcards" if artifact is A.FLASHCARDS else "Quiz"
    assert pkg.decks[str(deck)]["name"] == f"Photosynthesis::{label}"
    model = FLASHCARD_NOTE if artifact is A.FLASHCARDS else QUIZ_NOTE
    assert {note["mid"] for note in pkg.notes} == {model.model_id}
    assert [f["name"] for f in pkg.models[str(model.model_id)]["flds"]] == [f["name"] for f in model.fields]
    assert {note["mod"] for note in pkg.notes} == {int(MODIFIED.timestamp())}


def test_flashcard_fields_and_evidence_on_the_back(grounded: dict[A, dict[str, Any]], tmp_path: Path) -> None:
    cards = grounded[A.FLASHCARDS]["cards"]
    pkg = package(A.FLASHCARDS, grounded[A.FLASHCARDS], tmp_path)
    for note, card in zip(pkg.notes, cards, strict=True):
        front, back, evidence = note["fields"]
        assert (front, back) == (html.escape(card["front"]), html.escape(card["back"]))
        assert all(html.escape(e["quote"]) in evidence for e in card["evidence"])
        assert note["tags"] == [f"difficulty::{card['difficulty']}"]
    template = pkg.models[str(FLASHCARD_NOTE.model_id)]["tmpls"][0]
    assert "{{Evidence}}" in template["afmt"]
    assert "{{Evidence}}" not in template["qfmt"]
    assert "{{Back}}" in template["afmt"]


def test_quiz_front_has_the_options_and_the_back_the_answer(grounded: dict[A, dict[str, Any]], tmp_path: Path) -> None:
    questions = grounded[A.QUIZ]["questions"]
    pkg = package(A.QUIZ, grounded[A.QUIZ], tmp_path)
    for note, question in zip(pkg.notes, questions, strict=True):
        text, options, answer, explanation, evidence = note["fields"]
        assert text == html.escape(question["question"])
        assert options == '<ol type="A">' + "".join(f"<li>{html.escape(o)}</li>" for o in question["options"]) + "</ol>"
        correct = question["options"][question["answer_index"]]
        assert answer == f"<b>{'ABCDE'[question['answer_index']]}.</b> {html.escape(correct)}"
        assert explanation == html.escape(question["explanation"])
        assert all(html.escape(e["quote"]) in evidence for e in question["evidence"])
    template = pkg.models[str(QUIZ_NOTE.model_id)]["tmpls"][0]
    assert "{{Options}}" in template["qfmt"] and "{{Answer}}" not in template["qfmt"]
    assert all(f"{{{{{name}}}}}" in template["afmt"] for name in ("Answer", "Explanation", "Evidence"))


@pytest.mark.parametrize("artifact", list(ITEMS))
def test_ids_are_the_same_for_the_same_job_and_differ_for_another(
    artifact: A, grounded: dict[A, dict[str, Any]], tmp_path: Path
) -> None:
    content = grounded[artifact]
    first = package(artifact, content, tmp_path)
    again = package(artifact, content, tmp_path)
    later = package(artifact, content, tmp_path, modified=MODIFIED + timedelta(days=1))
    other = package(artifact, content, tmp_path, job_id="job_2")
    guids = [n["guid"] for n in first.notes]
    assert len(set(guids)) == len(guids)
    assert [n["guid"] for n in again.notes] == [n["guid"] for n in later.notes] == guids
    assert [n["id"] for n in again.notes] == [n["id"] for n in first.notes]
    assert deck_ids(first) == deck_ids(again) == deck_ids(later)
    assert {n["mid"] for n in later.notes} == {n["mid"] for n in first.notes}
    assert {n["mod"] for n in later.notes} == {int((MODIFIED + timedelta(days=1)).timestamp())}  # newer: updates
    assert not {n["guid"] for n in other.notes} & set(guids)
    assert deck_ids(other) != deck_ids(first)


def test_an_updated_artifact_updates_the_same_notes(grounded: dict[A, dict[str, Any]], tmp_path: Path) -> None:
    content = grounded[A.FLASHCARDS]
    changed = {"cards": [{**content["cards"][0], "back": "A rewritten answer."}, *content["cards"][1:]]}
    before = package(A.FLASHCARDS, content, tmp_path)
    after = package(A.FLASHCARDS, changed, tmp_path, modified=MODIFIED + timedelta(hours=1))
    assert [n["guid"] for n in after.notes] == [n["guid"] for n in before.notes]
    assert after.notes[0]["fields"][1] == "A rewritten answer."


def test_flashcards_and_quiz_of_one_job_are_two_decks(grounded: dict[A, dict[str, Any]], tmp_path: Path) -> None:
    cards = package(A.FLASHCARDS, grounded[A.FLASHCARDS], tmp_path)
    quiz = package(A.QUIZ, grounded[A.QUIZ], tmp_path)
    assert deck_ids(cards) != deck_ids(quiz)
    ids = [n["id"] for n in cards.notes] + [c["id"] for c in cards.cards]
    assert not set(ids) & ({n["id"] for n in quiz.notes} | {c["id"] for c in quiz.cards})
    assert not {n["guid"] for n in cards.notes} & {n["guid"] for n in quiz.notes}


def test_text_is_escaped_html(tmp_path: Path) -> None:
    cards = package(A.FLASHCARDS, tricky_flashcards(), tmp_path, title="Bio::Chem  <b>")
    (deck,) = deck_ids(cards)
    assert cards.decks[str(deck)]["name"] == "Bio:Chem <b>::Flashcards"
    back, evidence = cards.notes[0]["fields"][1:]
    assert back == html.escape(TRICKY).replace("\n", "<br>")
    assert "<b>" not in back
    assert html.escape(TRICKY).replace("\n", "<br>") in evidence
    assert cards.notes[4]["fields"][0] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    quiz = package(A.QUIZ, tricky_quiz(), tmp_path)
    assert "&lt;![CDATA[x]]&gt;" in quiz.notes[4]["fields"][1]


def test_a_job_without_a_title_has_a_deck_name(grounded: dict[A, dict[str, Any]], tmp_path: Path) -> None:
    pkg = package(A.QUIZ, grounded[A.QUIZ], tmp_path, title="  ")
    (deck,) = deck_ids(pkg)
    assert pkg.decks[str(deck)]["name"] == "Content Factory::Quiz"


def test_a_long_title_is_cut_in_the_deck_name(grounded: dict[A, dict[str, Any]], tmp_path: Path) -> None:
    pkg = package(A.QUIZ, grounded[A.QUIZ], tmp_path, title="Photosynthesis " * 40)
    (deck,) = deck_ids(pkg)
    name = pkg.decks[str(deck)]["name"]
    assert name.endswith("…::Quiz")
    assert len(name) == 100 + len("::Quiz")
