"""The nine artifact models: the contract every generator, LLM or offline, is held to.

Field names are public (clients read them). Rules JSON Schema cannot say — unique fronts, known speakers,
answers that differ from questions, requested counts — are validators here. Requested counts arrive through
the validation context: ``Model.model_validate(data, context={"controls": {...}})``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

from app.content.grounding import Evidence

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]


class Difficulty(StrEnum):
    INTRODUCTORY = "introductory"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class CardDifficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionKind(StrEnum):
    RECALL = "recall"
    ANALYSIS = "analysis"
    APPLICATION = "application"
    EVALUATION = "evaluation"


class ArtifactModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _requested(info: ValidationInfo, name: str) -> Any:
    controls = (info.context or {}).get("controls") or {}
    return controls.get(name)


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?.!")


def _require_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        key = _normalised(value)
        if key in seen:
            raise ValueError(f"{what} must be unique; {value!r} appears more than once")
        seen.add(key)


def _require_count(items: list[Any], info: ValidationInfo, what: str) -> None:
    wanted = _requested(info, "count")
    if wanted is not None and len(items) != wanted:
        raise ValueError(f"{wanted} {what} were requested, {len(items)} were produced")


# --- outline -------------------------------------------------------------------------------------------------


class OutlineSection(ArtifactModel):
    number: int = Field(ge=1)
    title: Line
    summary: Text
    key_points: list[Line] = Field(min_length=1, max_length=10)


class Outline(ArtifactModel):
    title: Line
    overview: Text
    learning_objectives: list[Line] = Field(min_length=3, max_length=10)
    sections: list[OutlineSection] = Field(min_length=3, max_length=15)
    difficulty: Difficulty

    @model_validator(mode="after")
    def _sections_in_order(self) -> Outline:
        numbers = [s.number for s in self.sections]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("sections must be numbered 1, 2, 3, … in order")
        _require_unique([s.title for s in self.sections], "section titles")
        return self


# --- podcast script ------------------------------------------------------------------------------------------


class Speaker(ArtifactModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    role: Line


class Segment(ArtifactModel):
    speaker: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    text: Text


class PodcastScript(ArtifactModel):
    title: Line
    speakers: list[Speaker] = Field(min_length=2, max_length=4)
    segments: list[Segment] = Field(min_length=6)
    estimated_minutes: float = Field(gt=0, le=240)

    @model_validator(mode="after")
    def _speakers_known(self) -> PodcastScript:
        names = [s.name for s in self.speakers]
        _require_unique(names, "speaker names")
        unknown = sorted({seg.speaker for seg in self.segments} - set(names))
        if unknown:
            raise ValueError(f"segments name speakers not in speakers[]: {', '.join(unknown)}")
        if len({seg.speaker for seg in self.segments}) < 2:
            raise ValueError("at least two speakers must talk")
        return self


# --- study guide, one-pager, detailed reading ----------------------------------------------------------------


class KeyConcept(ArtifactModel):
    term: Line
    explanation: Text
    evidence: list[Evidence] = Field(
        default_factory=list, description="The passages of the source this item rests on, found by the server."
    )


class TextSection(ArtifactModel):
    title: Line
    content: Text


class StudyGuide(ArtifactModel):
    title: Line
    overview: Text
    key_concepts: list[KeyConcept] = Field(min_length=5, max_length=20)
    sections: list[TextSection] = Field(min_length=2)
    summary: Text

    @model_validator(mode="after")
    def _unique_terms(self) -> StudyGuide:
        _require_unique([c.term for c in self.key_concepts], "key concept terms")
        return self


class OnePager(ArtifactModel):
    title: Line
    summary: Text
    key_takeaways: list[Line] = Field(min_length=3, max_length=7)
    body: Text

    @model_validator(mode="after")
    def _unique_takeaways(self) -> OnePager:
        _require_unique(self.key_takeaways, "key takeaways")
        return self


class DetailedReading(ArtifactModel):
    title: Line
    introduction: Text
    sections: list[TextSection] = Field(min_length=3, max_length=10)
    conclusion: Text

    @model_validator(mode="after")
    def _unique_titles(self) -> DetailedReading:
        _require_unique([s.title for s in self.sections], "section titles")
        return self


# --- FAQ, flashcards, reading questions ----------------------------------------------------------------------


# Question marks of the scripts a question may be written in: Latin and Greek (";"), full-width (Chinese,
# Japanese), Arabic, Armenian, Ethiopic.
QUESTION_MARKS = ("?", "？", "؟", ";", "՞", "፧")


class FaqItem(ArtifactModel):
    question: Line = Field(description="A question a learner really asks: a confusion, comparison or misconception.")
    answer: Text = Field(description="The direct answer first, then 2 to 4 sentences in all.")
    evidence: list[Evidence] = Field(
        default_factory=list, description="The passages of the source this item rests on, found by the server."
    )

    @model_validator(mode="after")
    def _well_formed(self) -> FaqItem:
        if not self.question.endswith(QUESTION_MARKS):
            raise ValueError(f"question must end with a question mark: {self.question!r}")
        if _normalised(self.answer) == _normalised(self.question):
            raise ValueError("answer must not repeat the question")
        return self


class Faq(ArtifactModel):
    items: list[FaqItem] = Field(min_length=5, max_length=15)

    @model_validator(mode="after")
    def _checks(self, info: ValidationInfo) -> Faq:
        _require_unique([i.question for i in self.items], "questions")
        _require_count(self.items, info, "FAQ items")
        return self


class Flashcard(ArtifactModel):
    front: Line = Field(description="A question or cue about one fact or idea, at most 20 words.")
    back: Text = Field(description="The answer, at most 40 words, that makes sense on its own.")
    difficulty: CardDifficulty = Field(
        description="easy: recall a definition or fact; medium: explain or relate two ideas; hard: apply an idea "
        "or tell two similar things apart."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="The passages of the source this item rests on, found by the server."
    )

    @model_validator(mode="after")
    def _back_differs(self) -> Flashcard:
        if _normalised(self.back) == _normalised(self.front):
            raise ValueError("a card's back must differ from its front")
        return self


class Flashcards(ArtifactModel):
    cards: list[Flashcard] = Field(min_length=5, max_length=50)

    @model_validator(mode="after")
    def _checks(self, info: ValidationInfo) -> Flashcards:
        _require_unique([c.front for c in self.cards], "card fronts")
        _require_count(self.cards, info, "cards")
        return self


class ReadingQuestion(ArtifactModel):
    question: Line = Field(description="An open question answerable from the material, never yes or no.")
    kind: QuestionKind = Field(
        description="recall (retrieve a stated fact), analysis (explain how or why, relate parts), application "
        "(use an idea in a new situation), evaluation (judge a claim or method, with reasons)."
    )
    answer: Text | None = Field(default=None, description="A model answer of 1 to 4 sentences, from the material.")
    passage: Text | None = Field(
        default=None, description="The sentence or short passage of the material the question is about, quoted."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="The passages of the source this item rests on, found by the server."
    )


class ReadingQuestions(ArtifactModel):
    questions: list[ReadingQuestion] = Field(min_length=5, max_length=15)

    @model_validator(mode="after")
    def _checks(self, info: ValidationInfo) -> ReadingQuestions:
        _require_unique([q.question for q in self.questions], "questions")
        _require_count(self.questions, info, "questions")
        return self


# --- quiz ----------------------------------------------------------------------------------------------------

# Options that point at the other options instead of answering ("all of the above"), in the served languages.
_BLANKET_OPTIONS = re.compile(
    r"\b(?:all|none|both|neither) of (?:the )?(?:above|these|those|the answers)\b|\ball (?:the )?above\b"
    r"|\b(?:alle|keine|beide)(?: der| von)?(?: den)? (?:oben |zuvor )?(?:genannten|aufgeführten|vorherigen|obigen)\b"
    r"|\b(?:alle|keine der) (?:antworten|antwortmöglichkeiten)\b"
    r"|\b(?:toutes|aucune|tous|aucun) (?:les |des |de ces )?(?:réponses |propositions |options )?"
    r"(?:ci-dessus|précédentes|précédents)\b|\b(?:toutes ces|aucune de ces) (?:réponses|propositions)\b"
    r"|\btout ce qui précède\b"
    r"|\b(?:todas|ninguna|todos|ninguno) (?:de )?(?:las |los )?(?:respuestas |opciones )?anteriores\b"
    r"|\b(?:todo|nada de) lo anterior\b|\bninguna de (?:estas|ellas)\b",
    re.IGNORECASE,
)
# A quiz of at least this many questions whose correct option is the longest one in more than this share of them
# can be passed by picking the longest option.
MIN_QUESTIONS_FOR_LENGTH_RULE = 4
MAX_LONGEST_SHARE = Fraction(3, 5)


def longest_is_answer(options: list[str], answer_index: int) -> bool:
    """Whether the correct option is strictly longer than every other option (spaces collapsed)."""
    lengths = [len(" ".join(option.split())) for option in options]
    return all(lengths[answer_index] > n for i, n in enumerate(lengths) if i != answer_index)


class QuizQuestion(ArtifactModel):
    question: Line = Field(description="The question or a sentence with a blank, answerable from the material.")
    options: list[Line] = Field(
        min_length=3,
        max_length=5,
        description="The choices: one correct, the others plausible distractors of the same grammatical form and "
        "similar length, never 'all of the above' or 'none of the above'.",
    )
    answer_index: int = Field(ge=0, description="The position of the correct option in options, counted from 0.")
    explanation: Text = Field(
        description="Why the correct option is right (and the most tempting distractor wrong), from the material."
    )
    difficulty: CardDifficulty = Field(
        description="easy: recall a stated fact; medium: understand or relate ideas; hard: apply an idea or tell "
        "two similar things apart."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="The passages of the source this item rests on, found by the server."
    )

    @model_validator(mode="after")
    def _well_formed(self) -> QuizQuestion:
        if self.answer_index >= len(self.options):
            raise ValueError(
                f"answer_index {self.answer_index} is not the position of an option: there are "
                f"{len(self.options)} options, so it must be 0 to {len(self.options) - 1}"
            )
        seen: dict[str, str] = {}
        for option in self.options:
            key = _normalised(option)
            if key in seen:
                raise ValueError(
                    f"options must differ: {seen[key]!r} and {option!r} are the same option; replace one with "
                    "another plausible distractor"
                )
            seen[key] = option
        for option in self.options:
            if _BLANKET_OPTIONS.search(option):
                raise ValueError(
                    f"option {option!r} points at the other options; write a specific distractor instead of "
                    "'all of the above' or 'none of the above'"
                )
        return self


class Quiz(ArtifactModel):
    questions: list[QuizQuestion] = Field(min_length=5, max_length=30)

    @model_validator(mode="after")
    def _checks(self, info: ValidationInfo) -> Quiz:
        _require_unique([q.question for q in self.questions], "questions")
        _require_count(self.questions, info, "questions")
        longest = [n for n, q in enumerate(self.questions, start=1) if longest_is_answer(q.options, q.answer_index)]
        total = len(self.questions)
        if total >= MIN_QUESTIONS_FOR_LENGTH_RULE and len(longest) > MAX_LONGEST_SHARE * total:
            raise ValueError(
                f"the correct option is the longest in {len(longest)} of {total} questions "
                f"({', '.join(map(str, longest))}), so it can be guessed by its length; in at most "
                f"{MAX_LONGEST_SHARE * total // 1} of them may it be the longest: make a distractor at least as "
                "long as the answer in the others"
            )
        return self
