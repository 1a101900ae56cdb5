"""The eight artifact models: the contract every generator, LLM or offline, is held to.

Field names are public (clients read them). Rules JSON Schema cannot say — unique fronts, known speakers,
answers that differ from questions, requested counts — are validators here. Requested counts arrive through
the validation context: ``Model.model_validate(data, context={"controls": {...}})``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

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


class ReadingQuestions(ArtifactModel):
    questions: list[ReadingQuestion] = Field(min_length=5, max_length=15)

    @model_validator(mode="after")
    def _checks(self, info: ValidationInfo) -> ReadingQuestions:
        _require_unique([q.question for q in self.questions], "questions")
        _require_count(self.questions, info, "questions")
        return self
