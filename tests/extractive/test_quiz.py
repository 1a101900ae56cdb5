"""The offline engine's quiz: sentences of the source with a term, name, year or figure blanked, and distractors of
the same kind from the same source, the same for the same text, in every served language."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from app.content.catalogue import ArtifactOptions, ArtifactType, spec_of, validate_content
from app.content.generator import GenerationInput
from app.content.models import Difficulty, Quiz
from app.errors import Unprocessable
from app.extractive import ExtractiveGenerator, analyse, build
from app.extractive.phrasebooks import phrasebook
from app.extractive.quiz import BLANK, quiz_questions
from app.extractive.selection import terms
from tests.fixtures.samples import TEXTS, read

SOURCES = {
    "photosynthesis": (read("photosynthesis"), "en"),
    "french_revolution": (read("french_revolution"), "en"),
    "wasserkreislauf": ((TEXTS / "de" / "wasserkreislauf.txt").read_text(encoding="utf-8"), "de"),
    "revolution_industrielle": ((TEXTS / "fr" / "revolution_industrielle.txt").read_text(encoding="utf-8"), "fr"),
    "sistema_solar": ((TEXTS / "es" / "sistema_solar.txt").read_text(encoding="utf-8"), "es"),
}
_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")


def made(name: str, count: int = 10, difficulty: Difficulty | None = None) -> list[dict[str, Any]]:
    text, language = SOURCES[name]
    source = GenerationInput(topic=None, source_text=text, language=language, difficulty=difficulty)
    controls = {**spec_of(ArtifactType.QUIZ).defaults(), "count": count}
    content = build(ArtifactType.QUIZ, analyse(text, language), controls, None, source)
    validate_content(ArtifactType.QUIZ, content, controls)  # as the engine holds it
    questions: list[dict[str, Any]] = content["questions"]
    return questions


def _answer(question: dict[str, Any]) -> str:
    answer: str = question["options"][question["answer_index"]]
    return answer


def _squeezed(text: str) -> str:
    return "".join(text.split())  # the reader mends spacing ("cohérent : la" -> "cohérent: la")


def _written_in(option: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text, re.IGNORECASE) is not None


def _distractors(question: dict[str, Any]) -> list[str]:
    return [o for i, o in enumerate(question["options"]) if i != question["answer_index"]]


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("count", [5, 10, 20])
def test_the_quiz_has_the_count_asked_with_four_distinct_options(name: str, count: int) -> None:
    questions = made(name, count)
    assert len(questions) == count
    for q in questions:
        assert BLANK in q["question"]
        options = [o.casefold() for o in q["options"]]
        assert len(options) == len(set(options)) == 4
        assert not _written_in(_answer(q), q["question"])  # the blank does not show its filler
        assert BLANK not in q["explanation"] and _squeezed(q["explanation"]) in _squeezed(SOURCES[name][0])


@pytest.mark.parametrize("name", SOURCES)
def test_every_option_is_the_sources_own_and_of_the_answers_kind(name: str) -> None:
    text, language = SOURCES[name]
    analysis = analyse(text, language)
    book = phrasebook(language)
    key_terms = {t.text.casefold(): t for t in terms(analysis)}
    flat = " ".join(text.split()).casefold()
    kinds: Counter[str] = Counter()
    for q in made(name, 20):
        for option in q["options"]:
            assert option.casefold() in flat, option  # distractors come from this text, not from elsewhere
        if q["question"].startswith(book.quiz_year.split("{", 1)[0]):
            kinds["year"] += 1
            assert all(_YEAR.fullmatch(o) for o in q["options"]), q
        elif q["question"].startswith(book.quiz_number.split("{", 1)[0]):
            kinds["figure"] += 1
            units = {o.split()[-1].casefold() for o in q["options"]}
            assert len(units) <= 2, q  # one unit, in at most two forms ("1 million", "3 millions")
        else:
            kinds["term"] += 1
            found = [key_terms.get(o.casefold()) for o in q["options"]]
            assert all(found), q  # every option is a key term of the text
            assert len({t.proper for t in found if t is not None}) == 1, q  # names against names
            if not q["question"].startswith(book.quiz_defined.split("{", 1)[0]):
                named = q["question"].startswith(book.quiz_name.split("{", 1)[0])
                assert named == all(t.proper for t in found if t is not None), q
    assert kinds["term"] >= 10


def test_a_year_is_asked_against_the_nearest_other_years_of_the_text() -> None:
    years = [q for q in made("french_revolution", 20) if all(_YEAR.fullmatch(o) for o in q["options"])]
    assert years
    for q in years:
        answer = int(_answer(q))
        assert all(abs(int(o) - answer) <= 5 for o in _distractors(q)), q
        assert not any(o in q["question"] for o in q["options"]), q  # a year the sentence shows is no distractor


def test_a_figure_takes_figures_in_its_unit() -> None:
    questions = made("wasserkreislauf", 20)
    figures = [q for q in questions if all(o.endswith("Prozent") for o in q["options"])]
    assert figures
    assert all(q["question"].startswith("Welcher Wert gehört in die Lücke?") for q in figures)


def test_a_distractor_never_contains_the_answer_nor_the_sentence_mentions_it() -> None:
    for name in SOURCES:
        for q in made(name, 20):
            answer, stem = _answer(q).casefold(), q["question"].casefold()
            for distractor in _distractors(q):
                words, answer_words = set(distractor.casefold().split()), set(answer.split())
                assert not (words <= answer_words or answer_words <= words), (distractor, answer)
                assert not _written_in(distractor, stem), (distractor, q["question"])


@pytest.mark.parametrize("name", SOURCES)
def test_the_same_text_gives_the_same_quiz_with_the_answers_spread_over_the_positions(name: str) -> None:
    first, again = made(name, 15), made(name, 15)
    assert first == again
    positions = Counter(q["answer_index"] for q in first)
    assert len(positions) >= 3 and max(positions.values()) <= 8
    # The order is the question's own: the same question in a shorter quiz has its options in the same order.
    assert made(name, 5) == first[:5]


@pytest.mark.parametrize("name", SOURCES)
def test_the_answer_is_not_the_longest_option_in_most_questions(name: str) -> None:
    for count in (5, 10, 20):
        questions = made(name, count)
        longest = [
            q for q in questions if all(len(_answer(q)) > len(o) for o in _distractors(q))
        ]  # the model refuses more than three fifths; the engine keeps well under
        assert len(longest) * 5 <= len(questions) * 3


def test_difficulties_are_spread_and_follow_the_reader() -> None:
    levels = Counter(q["difficulty"] for q in made("photosynthesis", 10))
    assert levels["easy"] >= 3 and levels["medium"] + levels["hard"] >= 3
    introductory = made("photosynthesis", 10, Difficulty.INTRODUCTORY)
    advanced = made("photosynthesis", 10, Difficulty.ADVANCED)
    assert introductory[0]["difficulty"] == "easy"
    assert advanced[0]["difficulty"] != "easy"
    easy = [Counter(q["difficulty"] for q in quiz)["easy"] for quiz in (introductory, advanced)]
    assert easy[0] > easy[1]


def test_a_defined_term_is_asked_from_its_definition() -> None:
    questions = {_answer(q): q for q in made("photosynthesis", 10, Difficulty.INTRODUCTORY)}
    chlorophyll = questions["Chlorophyll"]
    assert chlorophyll["question"].startswith("Which term is defined here? _____ is the green pigment")
    assert chlorophyll["explanation"].startswith("Chlorophyll is the green pigment that absorbs light")
    assert chlorophyll["difficulty"] == "easy"


@pytest.mark.parametrize("name", ["wasserkreislauf", "revolution_industrielle", "sistema_solar"])
def test_the_questions_are_asked_in_the_texts_language(name: str) -> None:
    book = phrasebook(SOURCES[name][1])
    leads = {t.split("{", 1)[0] for t in (book.quiz_defined, book.quiz_term, book.quiz_name, book.quiz_year)}
    leads.add(book.quiz_number.split("{", 1)[0])
    assert all(any(q["question"].startswith(lead) for lead in leads) for q in made(name, 10))


def test_a_text_that_cannot_fill_the_count_is_refused_naming_the_most_it_can() -> None:
    """The model holds the count exactly (as for flashcards), so the engine serves it or refuses the request before
    the job exists; it never serves fewer questions than asked."""
    analysis = analyse(read("plate_tectonics"))
    most = len(quiz_questions(analysis, 30))
    assert 10 <= most < 30
    assert len(quiz_questions(analysis, most)) == most


async def test_the_check_refuses_more_questions_than_the_text_supports() -> None:
    text = read("plate_tectonics")
    options = ArtifactOptions.model_validate({"quiz": {"count": 30}})
    source = GenerationInput(topic=None, source_text=text, language="en")
    with pytest.raises(Unprocessable) as caught:
        await ExtractiveGenerator().check(source, [ArtifactType.QUIZ], options)
    assert [d["field"] for d in caught.value.details] == ["options.quiz.count"]
    message = caught.value.details[0]["message"]
    assert "30 quiz questions were requested" in message
    assert f"ask for at most {len(quiz_questions(analyse(text), 30))}" in message
    await ExtractiveGenerator().check(source, [ArtifactType.QUIZ], ArtifactOptions())


def test_the_quiz_validates_in_every_length_from_five_to_thirty_on_a_long_text() -> None:
    analysis = analyse(read("immune_system"))
    for count in range(5, 31):
        Quiz.model_validate({"questions": quiz_questions(analysis, count)}, context={"controls": {"count": count}})
