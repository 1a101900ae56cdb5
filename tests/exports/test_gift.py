"""GIFT: every quiz question reads back, by a reference reader of the format, as the question it was."""

from __future__ import annotations

from typing import Any

import pytest

from app.content.catalogue import ArtifactType
from app.exports import render
from app.exports.gift import escaped
from tests.exports.contents import TRICKY, tricky_quiz
from tests.exports.readers import GiftAnswer, GiftQuestion, check_choice, read_gift

A = ArtifactType


def gift(content: dict[str, Any], title: str = "Photosynthesis") -> str:
    return render(A.QUIZ, "gift", content, job_id="job_1", title=title).data.decode("utf-8")


def check_round_trip(read: list[GiftQuestion], questions: list[dict[str, Any]], title: str) -> None:
    assert len(read) == len(questions)
    for number, (got, question) in enumerate(zip(read, questions, strict=True), start=1):
        check_choice(got)
        assert got.title == f"{title}: question {number}"
        assert got.text == question["question"]
        assert [a.text for a in got.answers] == question["options"]
        assert [a.correct for a in got.answers] == [
            i == question["answer_index"] for i in range(len(question["options"]))
        ]
        assert got.general_feedback == question["explanation"]


def test_every_question_reads_back(grounded: dict[A, dict[str, Any]]) -> None:
    check_round_trip(read_gift(gift(grounded[A.QUIZ])), grounded[A.QUIZ]["questions"], "Photosynthesis")


def test_special_characters_are_escaped_and_read_back() -> None:
    content = tricky_quiz()
    text = gift(content, title="Bio: {part 1}")
    check_round_trip(read_gift(text), content["questions"], "Bio: {part 1}")
    assert "::Bio\\: \\{part 1\\}\\: question 1::" in text
    assert "Which of \\{a\\} \\~ b \\= c \\# d \\: e \\\\ f is" in text
    assert "=\\{f\\} \\~ g \\#h" in text


def test_line_breaks_never_end_a_question() -> None:
    text = gift(tricky_quiz())
    assert 'is "right"?\\nSecond line <script>x</script>{' in text
    assert text.count("\n\n") == 5  # after the header comment and between the five questions


@pytest.mark.parametrize("char", list("~=#{}:\\"))
def test_each_special_character_is_escaped(char: str) -> None:
    assert escaped(f"a{char}b") == f"a\\{char}b"


def test_escaping_reads_back_as_the_text() -> None:
    read = read_gift(f"::{escaped(TRICKY)}::[plain]{escaped(TRICKY)}{{={escaped(TRICKY)}~b####{escaped(TRICKY)}}}")
    (question,) = read
    assert question.title == question.text == question.general_feedback == TRICKY
    assert question.answers == [GiftAnswer(True, None, TRICKY, None), GiftAnswer(False, None, "b", None)]


def test_the_reference_reader_refuses_what_is_not_gift() -> None:
    with pytest.raises(AssertionError, match="unbalanced"):
        read_gift("::t::Q {=a ~b")
    with pytest.raises(AssertionError, match="unbalanced"):
        read_gift("::t::Q {=a {~b}")
    with pytest.raises(AssertionError, match="not one right answer"):
        check_choice(read_gift("Q {=a =b ~c}")[0])
    with pytest.raises(AssertionError):
        check_choice(read_gift("Q {~%50%a ~%40%b ~%-100%c}")[0])
    check_choice(read_gift("Q {~%50%a ~%50%b ~%-100%c}")[0])  # multiple answers, weights adding up to 100


def test_question_names_fit_moodle(grounded: dict[A, dict[str, Any]]) -> None:
    read = read_gift(gift(grounded[A.QUIZ], title="Photosynthesis " * 40))
    assert all(q.title is not None and len(q.title) <= 255 for q in read)
    assert read[0].title == ("Photosynthesis " * 40)[:99].rstrip() + "…: question 1"
