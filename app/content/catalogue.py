"""The artifact catalogue: the one registry of everything that varies by artifact type.

Each type is declared once, by an ``ArtifactSpec``: its model, its request controls, the list its ``count``
control sets (provider schemas pin that list's length), and the output tokens quotas estimate for it. Every
other layer looks a type up here. The generators keep their own per-type parts beside their code — a prompt
template (``app/llm/prompts``), an offline recipe (``app/extractive/recipes.py``) — and refuse to start when
one is missing, naming the type. ``docs/ARCHITECTURE.md`` has the recipe for adding a type.

``ArtifactType`` is a ``str``: the type's name, valid only while the type is registered. There is one object per
name, so ``is`` compares them, and ``ArtifactType.OUTLINE`` and its siblings name the built-in types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    RootModel,
    ValidationError,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from app.content import models

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class CatalogueError(Exception):
    """A type declared incompletely or inconsistently, or a generator that lacks its part for a type."""


class ArtifactType(str):
    __slots__ = ()

    OUTLINE: ClassVar[ArtifactType]
    PODCAST_SCRIPT: ClassVar[ArtifactType]
    STUDY_GUIDE: ClassVar[ArtifactType]
    ONE_PAGER: ClassVar[ArtifactType]
    DETAILED_READING: ClassVar[ArtifactType]
    FAQ: ClassVar[ArtifactType]
    FLASHCARDS: ClassVar[ArtifactType]
    READING_QUESTIONS: ClassVar[ArtifactType]
    QUIZ: ClassVar[ArtifactType]

    def __new__(cls, name: str) -> ArtifactType:
        """The registered type of that name; ``ValueError`` for any other name."""
        spec = CATALOGUE.get(name)
        if spec is None:
            raise ValueError(f"No artifact type {name!r}; the known types are {', '.join(CATALOGUE)}.")
        return spec.artifact

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"ArtifactType({str(self)!r})"

    def __reduce__(self) -> tuple[type[ArtifactType], tuple[str]]:
        return ArtifactType, (str(self),)  # a copy or an unpickled value is the registered object again

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _known, serialization=core_schema.to_string_ser_schema(), ref="ArtifactType"
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": list(CATALOGUE), "title": "ArtifactType"}


def _known(name: object) -> ArtifactType:
    spec = CATALOGUE.get(name) if isinstance(name, str) else None
    if spec is None:
        names = [f"'{n}'" for n in CATALOGUE]
        expected = f"{', '.join(names[:-1])} or {names[-1]}"
        raise PydanticCustomError("enum", "Input should be {expected}", {"expected": expected})  # as for an Enum
    return spec.artifact


class Controls(BaseModel):
    """A type's request controls (``options.<type>``); each field's constraints are its published range.
    ``after`` names the controls that ask for a step after the artifact's own (``audio``) rather than shape what
    the engine writes: the engine never sees them, and they are no part of the artifact's cache key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    after: ClassVar[frozenset[str]] = frozenset()


class NoControls(Controls):
    pass


@dataclass(frozen=True, slots=True)
class TokenEstimate:
    """Output tokens an artifact takes: ``tokens`` flat, or ``tokens`` for each unit of the control ``per``."""

    tokens: int
    per: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ArtifactSpec:
    name: str
    model: type[models.ArtifactModel]
    description: str
    output_tokens: TokenEstimate
    controls: type[Controls] = NoControls
    counted: str | None = None  # the list whose length the ``count`` control sets
    artifact: ArtifactType = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "artifact", _intern(self.name))

    def defaults(self) -> dict[str, Any]:
        return self.controls().model_dump()


_INTERNED: dict[str, ArtifactType] = {}
CATALOGUE: dict[str, ArtifactSpec] = {}  # by name, in registration order: the outline first


def _intern(name: str) -> ArtifactType:
    if name not in _INTERNED:
        _INTERNED[name] = str.__new__(ArtifactType, name)
    return _INTERNED[name]


def register(spec: ArtifactSpec) -> ArtifactType:
    """Add a type to the catalogue, after checking its declaration is whole and consistent."""
    problems = _problems(spec)
    if problems:
        raise CatalogueError(f"Artifact type {spec.name!r}: {'; '.join(problems)}.")
    CATALOGUE[spec.name] = spec
    return spec.artifact


def unregister(artifact: ArtifactType) -> None:
    """Remove a type (tests add throwaway types and take them away again); the outline stays."""
    if artifact is not ArtifactType.OUTLINE:
        CATALOGUE.pop(artifact.value, None)


def _problems(spec: ArtifactSpec) -> list[str]:
    problems: list[str] = []
    if not _NAME.match(spec.name):
        problems.append("the name must be 2-40 lower-case letters, digits or underscores, starting with a letter")
    if spec.name in CATALOGUE:
        problems.append("it is already registered")
    if not spec.description.strip():
        problems.append("it needs a description (GET /v1/content-types shows it)")
    control_names = set(spec.controls.model_fields)
    if "count" in control_names and spec.counted is None:
        problems.append("it has a 'count' control but declares no counted list (counted=...)")
    if spec.counted is not None:
        if "count" not in control_names:
            problems.append(f"it declares counted={spec.counted!r} but has no 'count' control")
        if spec.counted not in spec.model.model_fields:
            problems.append(f"its counted list {spec.counted!r} is not a field of {spec.model.__name__}")
    if spec.output_tokens.tokens <= 0:
        problems.append("its output token estimate must be positive")
    if spec.output_tokens.per is not None and spec.output_tokens.per not in control_names:
        problems.append(f"its token estimate is per {spec.output_tokens.per!r}, which is not one of its controls")
    return problems


def spec_of(artifact: ArtifactType) -> ArtifactSpec:
    return CATALOGUE[artifact.value]


def artifact_types() -> tuple[ArtifactType, ...]:
    """Every registered type, the outline first."""
    return tuple(spec.artifact for spec in CATALOGUE.values())


def validate_content(artifact: ArtifactType, data: Any, controls: dict[str, Any]) -> models.ArtifactModel:
    """Validate raw content against the artifact's model and the requested controls."""
    return spec_of(artifact).model.model_validate(data, context={"controls": controls})


class ArtifactOptions(RootModel[dict[ArtifactType, dict[str, Any]]]):
    """Per-artifact controls keyed by artifact type (``{"flashcards": {"count": 20}}``).

    Each entry is checked against its type's controls; types with controls that the request left out get their
    defaults, so two requests that mean the same thing are the same options.
    """

    model_config = ConfigDict(frozen=True)

    root: dict[ArtifactType, dict[str, Any]] = Field(default_factory=dict, validate_default=True)

    @field_validator("root", mode="before")
    @classmethod
    def _checked(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given  # the dict schema says what is wrong
        # Only types that take controls have an entry; any other key is refused as an unknown field would be.
        errors: list[InitErrorDetails] = [
            InitErrorDetails(type="extra_forbidden", loc=(str(name),), input=value)
            for name, value in given.items()
            if name not in CATALOGUE or CATALOGUE[name].controls is NoControls
        ]
        checked: dict[ArtifactType, dict[str, Any]] = {}
        for spec in CATALOGUE.values():
            if spec.controls is NoControls:
                continue
            try:
                checked[spec.artifact] = spec.controls.model_validate(given.get(spec.name, {})).model_dump()
            except ValidationError as exc:
                errors += [
                    InitErrorDetails(type=e["type"], loc=(spec.name, *e["loc"]), input=e["input"], ctx=e.get("ctx", {}))
                    for e in exc.errors()
                ]
        if errors:
            raise ValidationError.from_exception_data("ArtifactOptions", errors)
        return checked

    def for_type(self, artifact: ArtifactType) -> dict[str, Any]:
        """The artifact's controls, defaults filled in; ``{}`` for a type without controls."""
        return dict(self.root.get(artifact) or {})

    def for_engine(self, artifact: ArtifactType) -> dict[str, Any]:
        """The controls the engine writes the artifact to: ``for_type`` without those that ask for a later step."""
        after = spec_of(artifact).controls.after
        return {name: value for name, value in self.for_type(artifact).items() if name not in after}

    def __hash__(self) -> int:
        return hash(tuple((name, tuple(sorted(values.items()))) for name, values in sorted(self.root.items())))

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        with_controls = [spec for spec in CATALOGUE.values() if spec.controls is not NoControls]
        return {
            "type": "object",
            "title": "ArtifactOptions",
            "description": "Per-artifact controls.",
            # Each type's controls as a component of its own (``FlashcardsControls``), as clients name them.
            "properties": {spec.name: handler(spec.controls.__pydantic_core_schema__) for spec in with_controls},
            "additionalProperties": False,
        }


def control_ranges(spec: ArtifactSpec) -> dict[str, dict[str, Any]]:
    """Each control's default, minimum and maximum, read from its field constraints."""
    ranges: dict[str, dict[str, Any]] = {}
    schema = spec.controls.model_json_schema()
    for name, prop in schema.get("properties", {}).items():
        ranges[name] = {
            "type": prop.get("type"),
            "default": prop.get("default"),
            "minimum": prop.get("minimum"),
            "maximum": prop.get("maximum"),
            "description": prop.get("description"),
        }
    return ranges


# The built-in types. Adding one: a model (``models.py``), an entry here, a prompt, an offline recipe.


class FlashcardsControls(Controls):
    count: int = Field(default=15, ge=5, le=50, description="Number of cards.")


class FaqControls(Controls):
    count: int = Field(default=8, ge=5, le=15, description="Number of question-and-answer items.")


class ReadingQuestionsControls(Controls):
    count: int = Field(default=8, ge=5, le=15, description="Number of questions.")


class QuizControls(Controls):
    count: int = Field(default=10, ge=5, le=30, description="Number of multiple-choice questions.")


class PodcastControls(Controls):
    minutes: int = Field(default=10, ge=2, le=60, description="Target length of the episode in minutes.")
    audio: bool = Field(
        default=False,
        description="Also read the script aloud as MP3, as a step of its own once the script is written; its "
        "export is the `mp3` format. Refused where the service has no speech engine.",
    )

    after: ClassVar[frozenset[str]] = frozenset({"audio"})


ArtifactType.OUTLINE = register(
    ArtifactSpec(
        name="outline",
        model=models.Outline,
        description="The course outline: objectives and numbered sections. Always generated first.",
        output_tokens=TokenEstimate(1_500),
    )
)
ArtifactType.PODCAST_SCRIPT = register(
    ArtifactSpec(
        name="podcast_script",
        model=models.PodcastScript,
        description="A conversation between a host and guests that teaches the material.",
        controls=PodcastControls,
        output_tokens=TokenEstimate(250, per="minutes"),
    )
)
ArtifactType.STUDY_GUIDE = register(
    ArtifactSpec(
        name="study_guide",
        model=models.StudyGuide,
        description="Key concepts with explanations, sections and a summary.",
        output_tokens=TokenEstimate(3_000),
    )
)
ArtifactType.ONE_PAGER = register(
    ArtifactSpec(
        name="one_pager",
        model=models.OnePager,
        description="A one-page summary with key takeaways.",
        output_tokens=TokenEstimate(1_200),
    )
)
ArtifactType.DETAILED_READING = register(
    ArtifactSpec(
        name="detailed_reading",
        model=models.DetailedReading,
        description="A long-form reading with introduction, sections and conclusion.",
        output_tokens=TokenEstimate(4_000),
    )
)
ArtifactType.FAQ = register(
    ArtifactSpec(
        name="faq",
        model=models.Faq,
        description="Frequently asked questions with answers.",
        controls=FaqControls,
        counted="items",
        output_tokens=TokenEstimate(120, per="count"),
    )
)
ArtifactType.FLASHCARDS = register(
    ArtifactSpec(
        name="flashcards",
        model=models.Flashcards,
        description="Question-and-answer cards rated easy, medium or hard.",
        controls=FlashcardsControls,
        counted="cards",
        output_tokens=TokenEstimate(60, per="count"),
    )
)
ArtifactType.READING_QUESTIONS = register(
    ArtifactSpec(
        name="reading_questions",
        model=models.ReadingQuestions,
        description="Questions for recall, analysis, application and evaluation.",
        controls=ReadingQuestionsControls,
        counted="questions",
        output_tokens=TokenEstimate(50, per="count"),
    )
)
ArtifactType.QUIZ = register(
    ArtifactSpec(
        name="quiz",
        model=models.Quiz,
        description="Multiple-choice questions with one correct option and an explanation, rated easy, medium or hard.",
        controls=QuizControls,
        counted="questions",
        output_tokens=TokenEstimate(120, per="count"),
    )
)
