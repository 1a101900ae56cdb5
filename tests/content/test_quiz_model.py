"""The quiz model's rules, as a provider's answer meets them: each refusal says what to change."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.content.catalogue import ArtifactOptions, ArtifactType, spec_of, validate_content
from app.content.models import Quiz, QuizQuestion


def question(n: int = 0, options: list[str] | None = None, answer: int = 0, **more: Any) -> dict[str, Any]:
    return {
        "question": f"Which pigment absorbs light in photosynthesis, case {n}?",
        "options": options or ["Chlorophyll", "Carotene", "Haemoglobin", "Melanin"],
        "answer_index": answer,
        "explanation": "Chlorophyll is the green pigment that absorbs light; haemoglobin carries oxygen in blood.",
        "difficulty": "easy",
        **more,
    }


def quiz(*questions: dict[str, Any]) -> dict[str, Any]:
    return {"questions": list(questions) or [question(n) for n in range(5)]}


def refusal(data: dict[str, Any], model: type[Quiz] | type[QuizQuestion] = Quiz, **context: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data, context={"controls": context})
    return str(caught.value)


def test_a_well_formed_quiz_is_valid() -> None:
    built = Quiz.model_validate(quiz(), context={"controls": {"count": 5}})
    assert [q.answer_index for q in built.questions] == [0] * 5
    assert built.questions[0].options[0] == "Chlorophyll"


def test_the_registry_serves_the_quiz_with_a_count_from_five_to_thirty() -> None:
    spec = spec_of(ArtifactType.QUIZ)
    assert spec.model is Quiz and spec.counted == "questions"
    assert spec.defaults() == {"count": 10}
    assert ArtifactOptions.model_validate({"quiz": {"count": 30}}).for_type(ArtifactType.QUIZ) == {"count": 30}
    for wrong in (4, 31):
        with pytest.raises(ValidationError):
            ArtifactOptions.model_validate({"quiz": {"count": wrong}})


def test_the_requested_count_is_held() -> None:
    assert "10 questions were requested, 5 were produced" in refusal(quiz(), count=10)


@pytest.mark.parametrize("index", [4, 7])
def test_the_answer_index_must_point_at_an_option(index: int) -> None:
    message = refusal(question(answer=index), QuizQuestion)
    assert f"answer_index {index} is not the position of an option" in message
    assert "must be 0 to 3" in message


def test_a_negative_answer_index_is_refused() -> None:
    assert "greater than or equal to 0" in refusal(question(answer=-1), QuizQuestion)


@pytest.mark.parametrize("options", [["A", "B"], ["A", "B", "C", "D", "E", "F"]])
def test_a_question_has_three_to_five_options(options: list[str]) -> None:
    refusal(question(options=options), QuizQuestion)


def test_three_and_five_options_are_both_fine() -> None:
    for options in (["Mitosis", "Meiosis", "Fission"], ["Mitosis", "Meiosis", "Fission", "Budding", "Fusion"]):
        QuizQuestion.model_validate(question(options=options))


@pytest.mark.parametrize("twin", ["chlorophyll", "  CHLOROPHYLL ", "Chlorophyll."])
def test_options_must_differ_after_case_and_spacing(twin: str) -> None:
    message = refusal(question(options=["Chlorophyll", "Carotene", twin, "Melanin"]), QuizQuestion)
    assert "options must differ" in message
    assert "replace one with another plausible distractor" in message


@pytest.mark.parametrize(
    "blanket",
    [
        "All of the above",
        "none of the above",
        "Both of the above",
        "All the above",
        "Alle oben genannten",
        "Keine der genannten",
        "Alle Antworten",
        "Toutes les réponses ci-dessus",
        "Aucune de ces réponses",
        "Tout ce qui précède",
        "Todas las anteriores",
        "Ninguna de las anteriores",
        "Todo lo anterior",
    ],
)
def test_options_that_point_at_the_others_are_refused(blanket: str) -> None:
    message = refusal(question(options=["Chlorophyll", "Carotene", "Melanin", blanket]), QuizQuestion)
    assert "points at the other options" in message
    assert "write a specific distractor" in message


@pytest.mark.parametrize(
    "option", ["Above the thylakoid membrane", "Alle Zellen", "Toutes les usines", "Todas las órbitas anteriores"]
)
def test_ordinary_options_with_those_words_pass(option: str) -> None:
    QuizQuestion.model_validate(question(options=["Chlorophyll", "Carotene", "Melanin", option]))


def _longest_first(n: int) -> dict[str, Any]:
    """A question whose correct option (the first) is the longest."""
    return question(n, ["Chlorophyll a and b", "Carotene", "Haemoglobin", "Melanin"])


def test_a_quiz_whose_answer_is_mostly_the_longest_option_is_refused() -> None:
    message = refusal(quiz(*(_longest_first(n) for n in range(4)), question(4)))  # 4 of 5
    assert "the correct option is the longest in 4 of 5 questions (1, 2, 3, 4)" in message
    assert "in at most 3 of them may it be the longest" in message
    assert "make a distractor at least as long as the answer" in message


def test_three_fifths_is_allowed_and_an_option_as_long_as_the_answer_gives_nothing_away() -> None:
    Quiz.model_validate(quiz(*(_longest_first(n) for n in range(3)), question(3), question(4)))  # 3 of 5
    tie = question(9, ["Chlorophyll", "Haemoglobin", "Carotene", "Melanin"])  # as long as a distractor
    ties = [tie | {"question": f"Which pigment absorbs light, case {n}?"} for n in range(10, 12)]
    Quiz.model_validate(quiz(*(_longest_first(n) for n in range(3)), *ties))


def test_questions_must_be_unique() -> None:
    assert "questions must be unique" in refusal(quiz(*(question(0) for _ in range(5))))


def test_the_difficulty_is_the_cards_scale() -> None:
    assert "'easy', 'medium' or 'hard'" in refusal(question(difficulty="introductory"), QuizQuestion)


def test_the_validation_context_reaches_the_quiz_through_the_catalogue() -> None:
    content = validate_content(ArtifactType.QUIZ, quiz(), {"count": 5})
    assert isinstance(content, Quiz)
    with pytest.raises(ValidationError):
        validate_content(ArtifactType.QUIZ, quiz(), {"count": 6})
