"""Response bodies of the content catalogue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.content.catalogue import CATALOGUE, ArtifactType, control_ranges
from app.content.generator import REQUEST_CONTROLS, Generator


class ControlRange(BaseModel):
    type: str | None
    default: Any
    minimum: int | None
    maximum: int | None
    description: str | None
    available: bool = Field(
        default=True,
        description="False where this service cannot act on the control, and refuses a request that sets it "
        "(`audio` where no speech engine is configured).",
    )


class ContentType(BaseModel):
    type: ArtifactType
    description: str
    derived_from_outline: bool
    controls: dict[str, ControlRange]
    honoured_controls: list[str] = Field(
        description="Of the request's controls (audience, difficulty, focus) and this type's own, the ones the "
        "configured engine acts on."
    )
    unused_controls: list[str] = Field(description="The others: a job lists them on its artifacts when set.")
    formats: list[str] = Field(
        default_factory=list,
        description="The formats GET /v1/jobs/{id}/artifacts/{type}?format= serves this type in, json first.",
    )
    json_schema: dict[str, Any] = Field(alias="schema", serialization_alias="schema")

    model_config = ConfigDict(populate_by_name=True)


class ContentTypeList(BaseModel):
    engine: str = Field(description="The configured engine (extractive, or a model provider) the lists refer to.")
    items: list[ContentType]


def catalogue_public(generator: Generator, *, speaks: bool = False) -> ContentTypeList:
    """The catalogue as ``GET /v1/content-types`` shows it, with what the configured engine honours; ``speaks``
    says whether a speech engine is configured, without which the ``audio`` control is unavailable."""
    items = []
    for spec in CATALOGUE.values():
        possible = {*REQUEST_CONTROLS, *spec.defaults()}
        honoured = generator.honoured(spec.artifact) & possible
        items.append(
            ContentType(
                type=spec.artifact,
                description=spec.description,
                derived_from_outline=spec.artifact is not ArtifactType.OUTLINE,
                controls={
                    name: ControlRange(**r, available=speaks or name != "audio")
                    for name, r in control_ranges(spec).items()
                },
                honoured_controls=sorted(honoured),
                unused_controls=sorted(possible - honoured),
                json_schema=spec.model.model_json_schema(),
            )
        )
    return ContentTypeList(engine=generator.provider, items=items)
