from __future__ import annotations

import re
from collections import Counter

import pytest

from app.content.models import QuestionKind
from app.extractive import analyse
from app.extractive.questions import faq_items, flashcards, reading_questions
from app.extractive.text import normalised
from tests.fixtures.samples import ALL, read


@pytest.mark.parametrize("name", ALL)
def test_each_list_stops_at_its_limit(name: str) -> None:
    analysis = analyse(read(name))
    assert len(faq_items(analysis, 5)) == 5
    assert len(flashcards(analysis, 7)) == 7
    assert len(reading_questions(analysis, 6)) == 6


def test_defined_terms_get_definition_questions_answered_by_their_definitions() -> None:
    analysis = analyse(read("photosynthesis"))
    faq = {item["question"]: item["answer"] for item in faq_items(analysis, 8)}
    assert faq["What is the Calvin cycle?"].startswith("The Calvin cycle is the set of light-independent reactions")
    cards = {card["front"]: card for card in flashcards(analysis, 15)}
    chlorophyll = "Chlorophyll is the green pigment that absorbs light for photosynthesis."
    # The sentence after it ("It absorbs red and blue light …") is joined to it: it refers back to chlorophyll.
    assert cards["What is chlorophyll?"]["back"].startswith(chlorophyll + " It absorbs")
    assert cards["What is chlorophyll?"]["difficulty"] == "easy"


def test_past_tense_and_plural_definitions_read_naturally() -> None:
    fronts = {c["front"] for c in flashcards(analyse(read("french_revolution")), 15)}
    assert "What was the French Revolution?" in fronts
    assert "What was the National Assembly?" in fronts
    tcp = {c["front"] for c in flashcards(analyse(read("tcp_congestion_control")), 15)}
    assert "What is a duplicate acknowledgement?" in tcp  # as its definition names it
    assert "What is the congestion window?" in tcp


def test_undefined_terms_become_fill_in_the_blank_cards() -> None:
    cards = flashcards(analyse(read("photosynthesis")), 20)
    blanks = [c for c in cards if c["front"].startswith("Fill in the blank: ")]
    assert blanks
    for card in blanks:
        assert "_____" in card["front"]
        assert not re.search(rf"(?<![\w-]){re.escape(card['back'])}(?![\w-])", card["front"], re.IGNORECASE)
        assert card["difficulty"] in {"medium", "hard"}


@pytest.mark.parametrize("name", ALL)
def test_fronts_and_questions_are_unique_and_answers_differ(name: str) -> None:
    analysis = analyse(read(name))
    cards = flashcards(analysis, 50)
    assert len({normalised(c["front"]) for c in cards}) == len(cards)
    assert all(normalised(c["front"]) != normalised(c["back"]) for c in cards)
    faq = faq_items(analysis, 15)
    assert len({normalised(i["question"]) for i in faq}) == len(faq)
    assert all(i["question"].endswith("?") for i in faq)
    questions = reading_questions(analysis, 15)
    assert len({normalised(q["question"]) for q in questions}) == len(questions)


@pytest.mark.parametrize("count", [5, 8, 15])
def test_reading_question_kinds_take_turns(count: int) -> None:
    questions = reading_questions(analyse(read("tcp_congestion_control")), count)
    kinds = Counter(q["kind"] for q in questions)
    assert set(kinds) == {k.value for k in QuestionKind}
    assert max(kinds.values()) - min(kinds.values()) <= 1
    assert questions[0]["kind"] == "recall"


def test_analysis_questions_pair_terms_that_occur_together() -> None:
    questions = reading_questions(analyse(read("photosynthesis")), 8)
    analysis_questions = [q["question"] for q in questions if q["kind"] == "analysis"]
    assert analysis_questions
    pairs = [q for q in analysis_questions if " relate to " in q or q.startswith("What connects ")]
    assert pairs and all(" and " in q or " relate to " in q for q in pairs)


def test_card_difficulties_are_spread() -> None:
    difficulties = Counter(c["difficulty"] for c in flashcards(analyse(read("plate_tectonics")), 15))
    assert difficulties["easy"] >= 3
    assert difficulties["medium"] + difficulties["hard"] >= 3
